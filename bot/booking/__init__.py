"""Booking the diagnostic in the calendar: working hours (hours.py), free slots (slots.py),
how times read (texts.py), the .ics file (calendar.py) and the reminders a booking needs
(reminders.py) are pure; service.py applies a booking change through the repositories, in
the update's transaction. The owner's handlers are bot/flows/booking/, the consultants'
commands bot/group/handlers/agenda.py, the SQL bot/db/bookings.py."""
