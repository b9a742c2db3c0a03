using System.Text.RegularExpressions;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Subjects;
using Google.Protobuf.WellKnownTypes;

namespace ChainGateway.Core.Signals;

/// <summary>
/// The field rules signals are built from. On the local API a field is required; on the wire (minimised by the
/// sender's rule) an absent field is fine, but a present one must be valid. Every failure names its field path.
/// </summary>
internal sealed partial class SignalFieldRules(DateTimeOffset now, bool wire)
{
    private readonly DateOnly today = DateOnly.FromDateTime(now.UtcDateTime);

    public bool Wire => wire;

    public void Required(bool present, string path, string expected)
    {
        if (!present && !wire)
        {
            throw Malformed($"required: {expected}", path);
        }
    }

    /// <summary>
    /// A value of the enum's own (proto3 enums are open: a number the proto does not name parses and would otherwise pass,
    /// and compare as a level above every real one).
    /// </summary>
    public void Enum<T>(T value, string path, string expected)
        where T : struct, System.Enum
    {
        if (EqualityComparer<T>.Default.Equals(value, default))
        {
            Required(false, path, $"one of {expected}");
        }
        else if (!System.Enum.IsDefined(value))
        {
            throw Malformed($"{Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)} is not one of {expected}", path);
        }
    }

    /// <summary>A calendar date not after today (a report, an assessment).</summary>
    public void PastDate(Google.Type.Date? date, string path)
    {
        if (CalendarDate(date, path) is { } day && day > today)
        {
            throw Malformed("the date lies in the future", path);
        }
    }

    /// <summary>A calendar date at most <paramref name="daysAhead"/> days after today.</summary>
    public void DateUpTo(Google.Type.Date? date, string path, int daysAhead)
    {
        if (CalendarDate(date, path) is { } day && day > today.AddDays(daysAhead))
        {
            throw Malformed($"the date lies more than {daysAhead} days ahead", path);
        }
    }

    /// <summary>A date from today (yesterday on the wire, for a signal sent just before midnight) up to some days ahead.</summary>
    public void UpcomingDate(Google.Type.Date? date, string path, int daysAhead)
    {
        if (CalendarDate(date, path) is not { } day)
        {
            return;
        }
        if (day < (wire ? today.AddDays(-1) : today))
        {
            throw Malformed("the date lies in the past", path);
        }
        if (day > today.AddDays(daysAhead))
        {
            throw Malformed($"the date lies more than {daysAhead} days ahead", path);
        }
    }

    /// <summary>An end date not before its start, and at most <paramref name="maxYears"/> after it; checked when both are present.</summary>
    public static void DateOrder(Google.Type.Date? from, Google.Type.Date? to, string toPath, int maxYears)
    {
        if (from is null || to is null)
        {
            return;
        }
        var start = new DateOnly(from.Year, from.Month, from.Day);
        var end = new DateOnly(to.Year, to.Month, to.Day);
        if (end < start)
        {
            throw Malformed("the end date lies before the start date", toPath);
        }
        if (end > start.AddYears(maxYears))
        {
            throw Malformed($"the end date lies more than {maxYears} years after the start date", toPath);
        }
    }

    /// <summary>On the local API: a new measure must not have ended already.</summary>
    public void NotEnded(Google.Type.Date? end, string path)
    {
        if (!wire && end is not null && new DateOnly(end.Year, end.Month, end.Day) < today)
        {
            throw Malformed("the end date has passed", path);
        }
    }

    /// <summary>A moment no more than five minutes ahead (clock skew) and, on the local API, at most a day old.</summary>
    public void RecentTime(Timestamp? time, string path)
    {
        if (time is null)
        {
            Required(false, path, "a time");
            return;
        }
        if (time.Nanos is < 0 or > 999_999_999 || time.Seconds < new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()
            || time.Seconds > new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds())
        {
            throw Malformed("not a valid time", path);
        }
        var at = time.ToDateTimeOffset();
        if (at > now.AddMinutes(5))
        {
            throw Malformed("the time lies in the future", path);
        }
        if (!wire && at < now.AddDays(-1))
        {
            throw Malformed("the time lies more than a day in the past", path);
        }
    }

    public void Subject(SubjectRef? subject, string path)
    {
        if (subject is null || subject.IdCase == SubjectRef.IdOneofCase.None)
        {
            Required(false, path, "a subject (bsn or local_id)");
            return;
        }
        switch (subject.IdCase)
        {
            case SubjectRef.IdOneofCase.Pseudonym when wire:
                if (subject.Pseudonym.Length != PairwisePseudonymizer.Size)
                {
                    throw Malformed("a pseudonym is 32 bytes", path + ".pseudonym");
                }
                break;
            case SubjectRef.IdOneofCase.Bsn when !wire:
                SubjectId.Bsn(subject.Bsn, path + ".bsn");
                break;
            case SubjectRef.IdOneofCase.LocalId when !wire:
                SubjectId.Local(subject.LocalId, path + ".local_id");
                break;
            default:
                throw Malformed(wire ? "only pseudonyms may cross the wire" : "give the subject as bsn or local_id; pseudonyms are made by the node", path);
        }
    }

    /// <summary>A short code (case reference, measure id, area code): 1 to 32 of A-Z, a-z, 0-9 and '-'.</summary>
    public void Code(string value, string path, string what)
    {
        if (value.Length == 0)
        {
            Required(false, path, what);
            return;
        }
        if (!CodePattern().IsMatch(value))
        {
            throw Malformed($"{what} is 1 to 32 characters of A-Z, a-z, 0-9 and '-'", path);
        }
    }

    /// <summary>A work contact: organisation and function codes, and a work phone or e-mail (at least one on the local API).</summary>
    public void Contact(ContactPoint? contact, string path)
    {
        if (contact is null)
        {
            Required(false, path, "a contact point (organisation, function, work phone or e-mail)");
            return;
        }
        Name(contact.Organisation, path + ".organisation", "an organisation id");
        Name(contact.Function, path + ".function", "a function code");
        if (contact.WorkPhone.Length > 0 && !PhonePattern().IsMatch(contact.WorkPhone))
        {
            throw Malformed("a work phone is '+' and 8 to 15 digits", path + ".work_phone");
        }
        if (contact.WorkEmail.Length > 0 && (contact.WorkEmail.Length > 100 || !EmailPattern().IsMatch(contact.WorkEmail)))
        {
            throw Malformed("a work e-mail address of at most 100 characters", path + ".work_email");
        }
        if (contact.WorkPhone.Length == 0 && contact.WorkEmail.Length == 0)
        {
            Required(false, path + ".work_phone", "a work phone or work e-mail");
        }
    }

    public void FollowUp(FollowUpAgreement? followUp, string path)
    {
        if (followUp is null)
        {
            Required(false, path, "a follow-up agreement (interval and channel)");
            return;
        }
        if (followUp.IntervalDays > 90 || (followUp.IntervalDays == 0 && !wire))
        {
            throw Malformed("the interval is 1 to 90 days", path + ".interval_days");
        }
        Enum(followUp.Channel, path + ".channel", "phone, email, visit or letter");
    }

    private void Name(string value, string path, string what)
    {
        if (value.Length == 0)
        {
            Required(false, path, what);
            return;
        }
        if (!NamePattern().IsMatch(value))
        {
            throw Malformed($"{what} is 1 to 40 characters of a-z, 0-9 and '-'", path);
        }
    }

    private DateOnly? CalendarDate(Google.Type.Date? date, string path)
    {
        if (date is null)
        {
            Required(false, path, "a date");
            return null;
        }
        if (date.Year is < 1900 or > 2100 || date.Month is < 1 or > 12 || date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year, date.Month))
        {
            throw Malformed($"{date.Year:D4}-{date.Month:D2}-{date.Day:D2} is not a calendar date", path);
        }
        return new DateOnly(date.Year, date.Month, date.Day);
    }

    private static ChainGatewayException Malformed(string message, string path) => new(ReasonCode.Malformed, message, path);

    [GeneratedRegex("^[A-Za-z0-9-]{1,32}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^\+[0-9]{8,15}$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}$")]
    private static partial Regex EmailPattern();
}
