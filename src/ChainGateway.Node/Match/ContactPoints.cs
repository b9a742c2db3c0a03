using ChainGateway.Contracts.V1;
using ChainGateway.Core.Signals;

namespace ChainGateway.Node.Match;

/// <summary>
/// A subject's contact point at this organisation: function and WORK phone/e-mail, short and structured (no free
/// text). A match answer carries only the fields its SubjectKnown rule allows (DESIGN.md §5 minimisation).
/// </summary>
internal static class ContactPoints
{
    /// <summary>The contact point as registered: this organisation's, checked by the signal catalogue's contact rules.</summary>
    public static ContactPoint Validate(ContactPoint? contact, string organisation, string fieldPath)
    {
        var own = new ContactPoint
        {
            Organisation = organisation,
            Function = contact?.Function ?? string.Empty,
            WorkPhone = contact?.WorkPhone ?? string.Empty,
            WorkEmail = contact?.WorkEmail ?? string.Empty,
        };
        SignalValidator.ValidateContact(own, fieldPath);
        return own;
    }

    /// <summary>A copy with only the fields <paramref name="allowedFields"/> names (ContactPoint field names).</summary>
    public static ContactPoint Minimise(ContactPoint contact, IReadOnlyCollection<string> allowedFields) => new()
    {
        Organisation = allowedFields.Contains("organisation") ? contact.Organisation : string.Empty,
        Function = allowedFields.Contains("function") ? contact.Function : string.Empty,
        WorkPhone = allowedFields.Contains("work_phone") ? contact.WorkPhone : string.Empty,
        WorkEmail = allowedFields.Contains("work_email") ? contact.WorkEmail : string.Empty,
    };
}
