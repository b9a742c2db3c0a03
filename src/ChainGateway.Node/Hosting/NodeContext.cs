using System.Net;
using System.Security.Cryptography.X509Certificates;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Federation;
using ChainGateway.Core.Rules;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Configuration;

namespace ChainGateway.Node.Hosting;

/// <summary>
/// Everything a running node knows about itself and its federation, loaded and checked once at start-up:
/// its keys, the trust list, the agreement in force (signed by every party), the pinned federation CA.
/// </summary>
public sealed class NodeContext : IDisposable
{
    private NodeContext(NodeConfiguration configuration, OrganisationKeys keys, TrustList trustList, Agreement agreement,
        X509Certificate2 federationCa, X509Certificate2 tlsCertificate, TimeProvider time)
    {
        Configuration = configuration;
        Keys = keys;
        TrustList = trustList;
        Agreement = agreement;
        AgreementHash = agreement.Hash();
        Rules = new RuleEvaluator(agreement);
        FederationCa = federationCa;
        TlsCertificate = tlsCertificate;
        Time = time;
        Limits = new EnvelopeLimits(configuration.Limits.MaxEnvelopeBytes, TimeSpan.FromSeconds(configuration.Limits.MaxClockSkewSeconds));
        PseudonymKeys = new PseudonymKeyRing(keys, trustList, configuration.Organisation);
        Opener = new EnvelopeOpener(configuration.Organisation, keys, trustList, AgreementHash, time, Limits);
    }

    public string Organisation => Configuration.Organisation;

    public NodeConfiguration Configuration { get; }

    public OrganisationKeys Keys { get; }

    public TrustList TrustList { get; }

    public Agreement Agreement { get; }

    public byte[] AgreementHash { get; }

    public RuleEvaluator Rules { get; }

    public X509Certificate2 FederationCa { get; }

    public X509Certificate2 TlsCertificate { get; }

    public TimeProvider Time { get; }

    public EnvelopeLimits Limits { get; }

    /// <summary>
    /// This node's pseudonym keys as the trust list dates them: a sender asks for <see cref="PseudonymKeyRing.Current"/> at
    /// the moment it sends, so a node that runs across a rotation switches keys when the trust list says, not at its next start.
    /// </summary>
    public PseudonymKeyRing PseudonymKeys { get; }

    public EnvelopeOpener Opener { get; }

    public TimeSpan EnvelopeLifetime => TimeSpan.FromHours(Configuration.Limits.EnvelopeLifetimeHours);

    /// <summary>Loads and validates; throws <see cref="NodeConfigurationException"/> naming every problem.</summary>
    public static NodeContext Load(NodeConfiguration configuration, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        Require(configuration.Organisation, "organisation", problems);
        Require(configuration.Peer.Listen, "peer.listen", problems);
        Require(configuration.Local.Listen, "local.listen", problems);
        // The listeners are told apart by their port (ListenerRouting): one port for both would put the peer API and the
        // local API on one listener.
        if (IPEndPoint.TryParse(configuration.Peer.Listen ?? "", out var peerEndpoint) && IPEndPoint.TryParse(configuration.Local.Listen ?? "", out var localEndpoint)
            && peerEndpoint.Port == localEndpoint.Port)
        {
            problems.Add($"local.listen: port {localEndpoint.Port} is the peer endpoint's too; the local API (JWT) and the peer API (mutual TLS) need a port each");
        }
        // The intervals drive .NET timers, which take at most ~49.7 days; a larger one would fault its worker at start and
        // stop the node, so it is named here instead.
        Interval(configuration.SharingLog.CheckpointSeconds, "sharingLog.checkpointSeconds", problems);
        Interval(configuration.SharingLog.PurgeSeconds, "sharingLog.purgeSeconds", problems);
        Interval(configuration.SharingLog.WitnessSeconds, "sharingLog.witnessSeconds", problems);
        var trustList = Try(() => TrustList.Load(configuration.Resolve(configuration.TrustList)), "trustList", problems);
        var keys = Try(() => OrganisationKeys.Load(configuration.Resolve(configuration.Keys)), "keys", problems);
        var ca = Try(() => X509Certificate2.CreateFromPem(File.ReadAllText(configuration.Resolve(configuration.FederationCa))), "federationCa", problems);
        var tls = Try(() => LoadTlsCertificate(configuration), "tls", problems);
        var agreement = Try(() => Agreement.Parse(File.ReadAllText(configuration.Resolve(configuration.Agreement))), "agreement", problems);
        if (trustList is not null && keys is not null)
        {
            if (keys.Organisation != configuration.Organisation)
            {
                problems.Add($"keys: the key file is for '{keys.Organisation}', not '{configuration.Organisation}'");
            }
            if (!trustList.TryGet(configuration.Organisation, out var self))
            {
                problems.Add($"trustList: '{configuration.Organisation}' is not in the trust list");
            }
            else if (self.FindSigningKey(keys.SigningKeyId, time.GetUtcNow()) is null)
            {
                problems.Add($"keys: the signing key {keys.SigningKeyId} is not listed (or not valid now) for '{configuration.Organisation}' in the trust list");
            }
        }
        if (agreement is not null && trustList is not null)
        {
            var signatures = Try(() => File.ReadAllText(configuration.Resolve(configuration.AgreementSignatures)), "agreementSignatures", problems);
            if (signatures is not null)
            {
                try
                {
                    AgreementSignatures.EnsureInForce(agreement, signatures, trustList, time.GetUtcNow());
                }
                catch (Exception e) when (e is AgreementNotInForceException or FormatException or System.Text.Json.JsonException)
                {
                    problems.Add($"agreement: {e.Message}");
                }
            }
            foreach (var lead in configuration.MeasureReminders.LeadDays.Where(d => d is < 0 or > 365))
            {
                problems.Add($"measureReminders.leadDays: {lead} is not 0 to 365 days");
            }
            if (configuration.MeasureReminders.CheckSeconds < 1)
            {
                problems.Add("measureReminders.checkSeconds: must be at least 1");
            }
            if (!agreement.Parties.Contains(configuration.Organisation))
            {
                problems.Add($"agreement: '{configuration.Organisation}' is not a party to the agreement");
            }
        }
        if (problems.Count > 0)
        {
            keys?.Dispose();
            throw new NodeConfigurationException(configuration.Source, problems);
        }
        return new NodeContext(configuration, keys!, trustList!, agreement!, ca!, tls!, time);
    }

    public void Dispose()
    {
        Keys.Dispose();
        FederationCa.Dispose();
        TlsCertificate.Dispose();
    }

    private static X509Certificate2 LoadTlsCertificate(NodeConfiguration configuration)
    {
        using var pem = X509Certificate2.CreateFromPemFile(
            configuration.Resolve(configuration.Tls.Certificate), configuration.Resolve(configuration.Tls.Key));
        // Kestrel on Linux needs the key in an exportable PKCS#12 form to present it in TLS.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>At most 45 days (3,888,000 s): below what a .NET timer takes, and far above any sensible interval.</summary>
    private const int MaxIntervalSeconds = 45 * 24 * 3600;

    private static void Interval(int seconds, string name, List<string> problems)
    {
        if (seconds > MaxIntervalSeconds)
        {
            problems.Add($"{name}: {seconds} s is more than the {MaxIntervalSeconds} s (45 days) an interval may be");
        }
    }

    private static void Require(string value, string setting, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{setting} is required");
        }
    }

    private static T? Try<T>(Func<T> load, string setting, List<string> problems) where T : class
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException
            or System.Security.Cryptography.CryptographicException or System.Text.Json.JsonException or ArgumentException
            or Core.Errors.ChainGatewayException or FormatException or InvalidOperationException)
        {
            problems.Add($"{setting}: {e.Message}");
            return null;
        }
    }
}
