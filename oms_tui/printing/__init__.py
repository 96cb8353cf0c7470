"""Paper for the floor: pick lists and packing slips as PDF (ReportLab), printed through CUPS.

No Textual here: the CLI (`oms-tui print`) and the pick and pack screens call `print_documents`.
"""
