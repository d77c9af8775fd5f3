"""The cooperative platform's common library: one copy of every mechanism the services share."""
