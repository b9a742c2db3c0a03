using ChainGateway.Contracts.V1;
using ChainGateway.Core.Rules;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;

namespace ChainGateway.Core.Tests.Rules;

public sealed class FieldMinimiserTests
{
    private static readonly string[] RiskForSupervision = ["risk_assessed.level", "risk_assessed.subject", "risk_assessed.case_reference"];

    private static Signal FullRisk() => new()
    {
        RiskAssessed = new RiskAssessed
        {
            Instrument = RiskInstrument.Sash,
            Level = RiskLevel.High,
            AssessedOn = new Google.Type.Date { Year = 2026, Month = 1, Day = 2 },
            TrainedAssessor = true,
            Subject = new SubjectRef { Pseudonym = ByteString.CopyFrom(new byte[32]) },
            CaseReference = "PL-1",
        },
    };

    [Fact]
    public void Minimise_ClearsExactlyTheFieldsTheRuleDoesNotAllow()
    {
        var minimised = FieldMinimiser.Minimise(FullRisk(), RiskForSupervision);
        Assert.Equal(RiskInstrument.Unspecified, minimised.RiskAssessed.Instrument);
        Assert.Null(minimised.RiskAssessed.AssessedOn);
        Assert.False(minimised.RiskAssessed.TrainedAssessor);
        Assert.Equal(RiskLevel.High, minimised.RiskAssessed.Level);
        Assert.Equal(32, minimised.RiskAssessed.Subject.Pseudonym.Length);
        Assert.Equal("PL-1", minimised.RiskAssessed.CaseReference);
    }

    [Fact]
    public void FirstDisallowedField_NamesThePath()
    {
        Assert.Equal("risk_assessed.instrument", FieldMinimiser.FirstDisallowedField(FullRisk(), RiskForSupervision));
        var onlyTrained = FieldMinimiser.Minimise(FullRisk(), RiskForSupervision);
        onlyTrained.RiskAssessed.TrainedAssessor = true;
        Assert.Equal("risk_assessed.trained_assessor", FieldMinimiser.FirstDisallowedField(onlyTrained, RiskForSupervision));
    }

    [Fact]
    public void UnknownFields_AreDetected_AndMinimisationDropsThem()
    {
        // Field 15 of RiskAssessed is not defined: a sender could hide anything there.
        var smuggled = new Google.Protobuf.WellKnownTypes.BytesValue { Value = ByteString.CopyFromUtf8("123456782") }.ToByteArray();
        var inner = FullRisk().RiskAssessed.ToByteArray().Concat(new byte[] { (15 << 3) | 2, (byte)smuggled.Length }).Concat(smuggled).ToArray();
        var signal = Signal.Parser.ParseFrom(new byte[] { (2 << 3) | 2, (byte)inner.Length }.Concat(inner).ToArray());
        Assert.True(FieldMinimiser.HasUnknownFields(signal));
        var minimised = FieldMinimiser.Minimise(signal, AllPaths);
        Assert.False(FieldMinimiser.HasUnknownFields(minimised));
        Assert.False(FieldMinimiser.HasUnknownFields(FullRisk()));
    }

    [Fact]
    public void AnotherSignalKind_IsEntirelyDisallowed() =>
        Assert.Equal("stalking_reported", FieldMinimiser.FirstDisallowedField(
            new Signal { StalkingReported = new StalkingReported { CaseReference = "x" } }, RiskForSupervision));

    private static readonly string[] AllPaths =
    [
        "risk_assessed.instrument", "risk_assessed.level", "risk_assessed.assessed_on", "risk_assessed.trained_assessor",
        "risk_assessed.subject", "risk_assessed.case_reference", "risk_assessed.assessed_on.year", "risk_assessed.subject.pseudonym",
    ];

    [Fact]
    public void Property_MinimisedSignal_CarriesNoDisallowedField_AndMinimiseIsIdempotent()
    {
        var allowedSets = Gen.SubListOf(AllPaths).Select(l => l.ToArray());
        Prop.ForAll(allowedSets.ToArbitrary(), allowed =>
        {
            var once = FieldMinimiser.Minimise(FullRisk(), allowed);
            var twice = FieldMinimiser.Minimise(once, allowed);
            return FieldMinimiser.FirstDisallowedField(once, allowed) is null && once.Equals(twice);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Property_AllowedFieldsSurviveMinimisation()
    {
        var allowedSets = Gen.SubListOf(AllPaths).Select(l => l.ToArray());
        Prop.ForAll(allowedSets.ToArbitrary(), allowed =>
        {
            var minimised = FieldMinimiser.Minimise(FullRisk(), allowed);
            return !allowed.Contains("risk_assessed.level") || minimised.RiskAssessed.Level == RiskLevel.High;
        }).QuickCheckThrowOnFailure();
    }
}
