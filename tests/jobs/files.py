"""Small interchange files for import-job tests, over the units of tests.factories."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories as f

HOUSEHOLDS = (
    "household_id,unit_code,address\n"
    f"H-N1,{f.GROUP_A1},李家村一组 20 号\n"
    f"H-N2,{f.GROUP_B1},张庄村一组 8 号\n"
)
PERSONS = (
    "person_id,household_id,name,sex,birth_date,id_number,ethnicity,relation,marital_status,"
    "mother_id,father_id\n"
    "P-N1,H-N1,赵新民,1,1980-03-01,,01,02,20,,\n"
    "P-N2,H-N1,钱新兰,2,1982-07-15,,01,10,20,,\n"
    "P-N3,H-N2,孙新生,1,2001-11-30,,01,02,10,,\n"
)
# Line 3 has sex 3: an error of the file, not of scope.
PERSONS_BAD_SEX = PERSONS.replace("P-N2,H-N1,钱新兰,2,", "P-N2,H-N1,钱新兰,3,")
# A household in 王庄村 (township 2): outside township 1.
HOUSEHOLDS_OTHER_TOWNSHIP = HOUSEHOLDS + f"H-N3,{f.GROUP_C1},王庄村一组 30 号\n"


def upload(name: str, text: str, *, bom: bool = False) -> SimpleUploadedFile:
    data = ("\ufeff" if bom else "") + text
    return SimpleUploadedFile(name, data.encode(), content_type="text/csv")
