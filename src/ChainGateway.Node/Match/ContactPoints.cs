using System.Text.RegularExpressions;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;

namespace ChainGateway.Node.Match;

/// <summary>
/// A subject's contact point at this organisation: function and WORK phone/e-mail, short and structured (no free
/// text). A match answer carries only the fields its SubjectKnown rule allows (DESIGN.md §5 minimisation).
/// </summary>
internal static partial class ContactPoints
{
    public static ContactPoint Validate(ContactPoint? contact, string organisation, string fieldPath)
    {
        contact ??= new ContactPoint();
        if (contact.Function.Length > 64 || !TextPattern().IsMatch(contact.Function))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "a function is at most 64 letters, digits, spaces or -.,/()", fieldPath + ".function");
        }
        if (contact.WorkPhone.Length > 0 && !PhonePattern().IsMatch(contact.WorkPhone))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "a work phone is + and 6 to 20 digits or spaces", fieldPath + ".work_phone");
        }
        if (contact.WorkEmail.Length > 0 && !EmailPattern().IsMatch(contact.WorkEmail))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "a work e-mail address is required to look like name@domain", fieldPath + ".work_email");
        }
        return new ContactPoint { Organisation = organisation, Function = contact.Function, WorkPhone = contact.WorkPhone, WorkEmail = contact.WorkEmail };
    }

    /// <summary>A copy with only the fields <paramref name="allowedFields"/> names (ContactPoint field names).</summary>
    public static ContactPoint Minimise(ContactPoint contact, IReadOnlyCollection<string> allowedFields) => new()
    {
        Organisation = allowedFields.Contains("organisation") ? contact.Organisation : string.Empty,
        Function = allowedFields.Contains("function") ? contact.Function : string.Empty,
        WorkPhone = allowedFields.Contains("work_phone") ? contact.WorkPhone : string.Empty,
        WorkEmail = allowedFields.Contains("work_email") ? contact.WorkEmail : string.Empty,
    };

    [GeneratedRegex(@"^[\p{L}\p{N} .,/()-]*$")]
    private static partial Regex TextPattern();

    [GeneratedRegex(@"^\+?[0-9 ]{6,20}$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,}$")]
    private static partial Regex EmailPattern();
}
