"""iCalendar (RFC 5545) text for the sessions feed.

Written by hand: the format is small, and the two rules that matter are
kept here: text values escape backslash, semicolon, comma and newlines
(3.3.11), and content lines are folded at 75 octets without splitting a
UTF-8 character (3.1).
"""

import datetime

from django.utils import timezone

# Sessions have a start time but no end; calendar entries last this long.
SESSION_LENGTH = datetime.timedelta(hours=2)


def escape_text(value):
    """A TEXT value: backslash, semicolon and comma escaped, newlines as \\n."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line, limit=75):
    """One content line folded into lines of at most `limit` octets, each
    continuation starting with a space; never inside a UTF-8 character."""
    pieces, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        # Continuation lines carry a leading space, so they hold one octet less.
        room = limit if not pieces else limit - 1
        if size + width > room:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def session_event(session, *, url, description, host):
    """The content lines of one VEVENT for a session."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{session.ical_uid_key}@{host}",
        f"DTSTAMP:{_utc(session.updated_at)}",
    ]
    if session.start_time:
        start = timezone.make_aware(datetime.datetime.combine(session.date, session.start_time))
        lines += [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(start + SESSION_LENGTH)}"]
    else:
        lines += [
            f"DTSTART;VALUE=DATE:{session.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{session.date + datetime.timedelta(days=1):%Y%m%d}",
        ]
    summary = session.full_name + (f": {session.title}" if session.title else "")
    lines.append(f"SUMMARY:{escape_text(summary)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    location = session.place or session.video_url
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def calendar(events, *, name, time_zone):
    """A whole VCALENDAR from lists of event lines, CRLF-terminated and folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Study group//Sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{time_zone}",
    ]
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
