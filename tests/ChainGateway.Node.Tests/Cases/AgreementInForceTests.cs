using System.Text.Json.Nodes;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Tests.Infrastructure;

namespace ChainGateway.Node.Tests.Cases;

public sealed class AgreementInForceTests
{
    [Fact]
    public async Task EightPartyAgreement_WithoutEveryPartysValidSignature_StopsTheNode_NamingThoseParties()
    {
        await using var federation = TestFederation.Create();
        var configuration = federation.Configuration("om");
        var path = configuration.Resolve(configuration.AgreementSignatures);
        var original = File.ReadAllText(path);

        // Everyone signed: the node starts (with all eight parties and their rules).
        var node = await federation.StartAsync("om");
        Assert.Equal(8, node.Context.Agreement.Parties.Count);
        Assert.Equal(["case-conference", "case-direction", "protection-order-enforcement", "risk-assessment", "victim-contact"],
            node.Context.Agreement.Rules.Select(r => r.Purpose).Distinct().Order());
        await federation.StopAsync(node);

        // slachtofferhulp's signature removed; cjib's replaced by politie's signature under cjib's name.
        var document = JsonNode.Parse(original)!.AsObject();
        var signatures = document["signatures"]!.AsArray();
        var politie = signatures.Single(s => (string)s!["organisation"]! == "politie")!;
        signatures.Remove(signatures.Single(s => (string)s!["organisation"]! == "slachtofferhulp"));
        var cjib = signatures.Single(s => (string)s!["organisation"]! == "cjib")!.AsObject();
        cjib["signature"] = (string)politie["signature"]!;
        File.WriteAllText(path, document.ToJsonString());

        var error = await Assert.ThrowsAsync<NodeConfigurationException>(() => federation.StartAsync("om"));
        Assert.Contains("'slachtofferhulp'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'cjib'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'politie'", error.Message, StringComparison.Ordinal);
    }
}
