"""Spoken answers: record, measure, transcribe, keep, and read questions aloud.

The modules here hold no terminal I/O: `capture` records from the microphone, `analyse` finds
speech and long pauses in the samples and turns them into delivery facts, `transcribe` asks an
OpenAI-compatible speech endpoint for a verbatim transcript, `store` keeps the recording beside
the transcript, `speak` reads a question aloud and `health` reports devices and the endpoint.
Audio libraries (sounddevice, numpy: the `mockaws[voice]` extra) are imported only when used.
"""
