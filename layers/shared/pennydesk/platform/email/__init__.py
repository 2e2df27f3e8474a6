"""Email: render a message from its one template (subject, text and HTML) and send it through SES."""
