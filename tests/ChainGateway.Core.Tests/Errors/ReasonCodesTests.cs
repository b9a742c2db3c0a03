using ChainGateway.Core.Errors;

namespace ChainGateway.Core.Tests.Errors;

public sealed class ReasonCodesTests
{
    [Theory]
    [InlineData(ReasonCode.BadSignature, "BAD_SIGNATURE")]
    [InlineData(ReasonCode.Malformed, "MALFORMED")]
    [InlineData(ReasonCode.AgreementMismatch, "AGREEMENT_MISMATCH")]
    [InlineData(ReasonCode.FieldNotAllowed, "FIELD_NOT_ALLOWED")]
    public void WireName_IsScreamingSnakeCase(ReasonCode code, string expected) =>
        Assert.Equal(expected, code.ToWire());

    [Fact]
    public void EveryCode_RoundTripsThroughItsWireName()
    {
        foreach (var code in Enum.GetValues<ReasonCode>())
        {
            Assert.True(ReasonCodes.TryParse(code.ToWire(), out var parsed));
            Assert.Equal(code, parsed);
        }
        Assert.False(ReasonCodes.TryParse("NOT_A_CODE", out _));
    }
}
