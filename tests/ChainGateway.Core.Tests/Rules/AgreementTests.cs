using System.Text;
using ChainGateway.Core.Rules;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.Rules;

public sealed class AgreementTests
{
    [Fact]
    public void Hash_DoesNotDependOnLayoutOrKeyOrder()
    {
        var reordered = """
            {"rules":[
               {"requiredRole":"caseworker","retentionDays":30,"allowedFields":["stalking_reported.report_kind","stalking_reported.suspect","stalking_reported.case_reference"],"legalBasis":"Wpg art. 16","purpose":"risk-assessment","signalTypes":["StalkingReported"],"to":["om"],"from":["politie"],"processingActivity":"urn:x:report","id":"report"},
               {"conditions":{"minimumRiskLevel":"high"},"requiredRole":"caseworker","retentionDays":30,"allowedFields":["risk_assessed.level","risk_assessed.subject"],"legalBasis":"Wjsg art. 8a","purpose":"protection-order-enforcement","signalTypes":["RiskAssessed"],"to":["reclassering"],"from":["politie"],"processingActivity":"urn:x:risk","id":"risk"}],
             "parties":["politie","om","reclassering"],"title":"test agreement","version":1,"federationId":"test"}
            """;
        Assert.Equal(Agreement.Parse(TestAgreement.Json).Hash(), Agreement.Parse(reordered).Hash());
    }

    [Fact]
    public void AnyChangeOfContent_ChangesTheHash()
    {
        var original = Agreement.Parse(TestAgreement.Json).Hash();
        var changed = Agreement.Parse(TestAgreement.Json.Replace("\"retentionDays\": 30, \"requiredRole\": \"caseworker\" }", "\"retentionDays\": 31, \"requiredRole\": \"caseworker\" }", StringComparison.Ordinal)).Hash();
        Assert.NotEqual(original, changed);
    }

    [Fact]
    public void AMinimumRiskLevel_NeedsTheLevelAmongAllowedFields_AndRiskAssessedAlone()
    {
        // The receiver checks the condition on the minimised signal: without the level it would refuse every signal the
        // sender allows, and any other signal type has no level at all.
        var withoutLevel = TestAgreement.Json.Replace("\"risk_assessed.level\", \"risk_assessed.subject\"", "\"risk_assessed.subject\"", StringComparison.Ordinal);
        Assert.Contains("needs 'risk_assessed.level' among allowedFields", Assert.Throws<InvalidDataException>(() => Agreement.Parse(withoutLevel)).Message,
            StringComparison.Ordinal);
        var otherType = TestAgreement.Json.Replace("\"signalTypes\": [\"RiskAssessed\"]", "\"signalTypes\": [\"RiskAssessed\", \"StalkingReported\"]",
            StringComparison.Ordinal);
        Assert.Contains("applies to RiskAssessed only", Assert.Throws<InvalidDataException>(() => Agreement.Parse(otherType)).Message, StringComparison.Ordinal);
        // The whole RiskAssessed message allowed covers the level.
        var wholeMessage = TestAgreement.Json.Replace("\"risk_assessed.level\", \"risk_assessed.subject\"", "\"risk_assessed\"", StringComparison.Ordinal);
        Assert.Equal("risk", Agreement.Parse(wholeMessage).Rules[1].Id);
    }

    [Fact]
    public void InvalidAgreement_ListsEveryProblem()
    {
        var bad = TestAgreement.Json
            .Replace("\"to\": [\"om\"]", "\"to\": [\"nobody\"]", StringComparison.Ordinal)
            .Replace("\"risk_assessed.level\"", "\"risk_assessed.colour\"", StringComparison.Ordinal)
            .Replace("\"signalTypes\": [\"RiskAssessed\"]", "\"signalTypes\": [\"Gossip\"]", StringComparison.Ordinal);
        var error = Assert.Throws<InvalidDataException>(() => Agreement.Parse(bad));
        Assert.Contains("'nobody' is not a party", error.Message, StringComparison.Ordinal);
        Assert.Contains("risk_assessed.colour", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gossip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SignedByEveryParty_IsInForce_AndAMissingSignatureIsNamed()
    {
        var agreement = Agreement.Parse(TestAgreement.Json);
        var keys = new[] { "politie", "om", "reclassering" }.ToDictionary(p => p, _ => Key.Create(SignatureAlgorithm.Ed25519));
        try
        {
            var trustList = Federation.TrustList.Parse(Encoding.UTF8.GetBytes($$"""
                { "federationId": "test", "organisations": [ {{string.Join(",", keys.Select(k => Listed(k.Key, k.Value)))}} ] }
                """), "test");
            var all = AgreementSignatures.Create(agreement, keys.Select(k => (k.Key, Federation.KeyThumbprint.Of(k.Value.PublicKey), k.Value)));
            AgreementSignatures.EnsureInForce(agreement, all, trustList, DateTimeOffset.UtcNow);

            var withoutOm = AgreementSignatures.Create(agreement, keys.Where(k => k.Key != "om").Select(k => (k.Key, Federation.KeyThumbprint.Of(k.Value.PublicKey), k.Value)));
            var error = Assert.Throws<AgreementNotInForceException>(() => AgreementSignatures.EnsureInForce(agreement, withoutOm, trustList, DateTimeOffset.UtcNow));
            Assert.Equal(["om"], error.UnsignedParties);
            Assert.Contains("'om'", error.Message, StringComparison.Ordinal);

            // A signature by the wrong key (om signing as politie) does not count.
            var forged = AgreementSignatures.Create(agreement, keys.Select(k => (k.Key, Federation.KeyThumbprint.Of(k.Value.PublicKey), k.Key == "politie" ? keys["om"] : k.Value)));
            Assert.Equal(["politie"], Assert.Throws<AgreementNotInForceException>(() => AgreementSignatures.EnsureInForce(agreement, forged, trustList, DateTimeOffset.UtcNow)).UnsignedParties);
        }
        finally
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }
        }
    }

    private static string Listed(string id, Key signing)
    {
        using var x = Key.Create(KeyAgreementAlgorithm.X25519);
        string Pub(PublicKey k) => System.Buffers.Text.Base64Url.EncodeToString(k.Export(KeyBlobFormat.RawPublicKey));
        return $$"""{ "id": "{{id}}", "signingKeys": [{"publicKey": "{{Pub(signing.PublicKey)}}"}], "envelopeKeys": [{"publicKey": "{{Pub(x.PublicKey)}}"}], "pseudonymKeys": [{"publicKey": "{{Pub(x.PublicKey)}}"}] }""";
    }

    [Fact]
    public void SubjectKnownRule_TakesContactPointFields_AndStandsAlone()
    {
        static string With(string types, string fields) => $$"""
            {
              "federationId": "test", "version": 1, "title": "match", "parties": ["politie", "om"],
              "rules": [
                { "id": "ask", "processingActivity": "urn:x:ask", "from": ["politie"], "to": ["om"], "signalTypes": {{types}},
                  "purpose": "case-direction", "legalBasis": "Wpg art. 16", "allowedFields": {{fields}},
                  "retentionDays": 30, "requiredRole": "caseworker" }
              ]
            }
            """;

        Assert.Contains(Agreement.Parse(With("[\"SubjectKnown\"]", "[\"organisation\", \"function\"]")).Rules, r => r.SignalTypes.Contains("SubjectKnown"));
        var signalField = Assert.Throws<InvalidDataException>(() => Agreement.Parse(With("[\"SubjectKnown\"]", "[\"stalking_reported.suspect\"]")));
        Assert.Contains("not a field of chaingateway.v1.ContactPoint", signalField.Message, StringComparison.Ordinal);
        var mixed = Assert.Throws<InvalidDataException>(() => Agreement.Parse(With("[\"SubjectKnown\", \"StalkingReported\"]", "[\"organisation\"]")));
        Assert.Contains("SubjectKnown cannot share a rule", mixed.Message, StringComparison.Ordinal);
    }
}
