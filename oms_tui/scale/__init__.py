"""Scales at the pack bench: a serial scale speaking the NCI (Toledo-style) request and reply, a USB HID
postal scale (Dymo M-series reports from `/dev/hidraw*`), read in a loop that never blocks the caller
and says when the scale is silent, unplugged or unsteady. No Textual here: the pack screen runs the
loop in a worker thread."""
