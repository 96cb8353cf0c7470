"""Mail to customers through the brand's mailbox (SMTP, with the standard library's `smtplib`).

No Textual and no floor rules here: `floor.messages` decides what is sent and records it.
"""
