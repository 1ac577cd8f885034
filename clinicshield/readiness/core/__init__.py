"""Pure-Python heart of the readiness app: content loaders, the notification clock, drill scoring.

Nothing here imports Django; everything takes plain data and returns plain data.
"""
