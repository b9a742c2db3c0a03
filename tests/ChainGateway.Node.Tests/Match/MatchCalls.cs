using ChainGateway.Contracts.V1;
using ChainGateway.Node.Tests.Infrastructure;

namespace ChainGateway.Node.Tests.Match;

/// <summary>The match calls of the local API as a case system makes them.</summary>
public static class MatchCalls
{
    public const string Function = "casusregisseur";
    public const string WorkPhone = "+31701234567";
    public const string WorkEmail = "regie@om.example";

    public static SubjectRef Bsn(string bsn) => new() { Bsn = bsn };

    public static async Task<RegisterSubjectsResponse> RegisterAsync(this LocalClient client, params SubjectRef[] subjects)
    {
        var request = new RegisterSubjectsRequest();
        request.Subjects.AddRange(subjects.Select(s => new SubjectRegistration
        {
            Subject = s,
            Contact = new ContactPoint { Function = Function, WorkPhone = WorkPhone, WorkEmail = WorkEmail },
        }));
        return await client.Api.RegisterSubjectsAsync(request, client.Headers);
    }

    public static async Task<MatchResponse> MatchAsync(this LocalClient client, SubjectRef subject, string purpose, params string[] partners)
    {
        var request = new MatchRequest { Subject = subject, Purpose = purpose };
        request.Partners.AddRange(partners);
        return await client.Api.MatchAsync(request, client.Headers);
    }

    /// <summary>Writes node.json's match settings before the node starts.</summary>
    public static void ConfigureMatch(this TestFederation federation, string organisation, Action<Configuration.MatchSettings> change)
    {
        var configuration = federation.Configuration(organisation);
        change(configuration.Match);
        configuration.Save(federation.ConfigDirectory(organisation));
    }
}
