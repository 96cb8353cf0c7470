"""Messages to customers: templates filled with the order's data, sent once, recorded on the order."""
