from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "renkou.synth"
    label = "synth"
