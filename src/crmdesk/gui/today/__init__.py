"""Views for the day's work: follow-ups due, seasonal call list, coming birthdays."""
