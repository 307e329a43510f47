"""Booking the diagnostic in the calendar: working hours, free slots, the zone's wording,
the .ics file and the reminders a booking needs. Pure (no I/O, no aiogram): the owner's
handlers are bot/flows/booking.py, the consultants' commands bot/group/handlers/agenda.py,
the SQL bot/db/bookings.py."""
