using ChainGateway.Core.Errors;
using ChainGateway.Core.Subjects;

namespace ChainGateway.Core.Tests.Subjects;

public sealed class BsnTests
{
    [Theory]
    [InlineData("111222333")]
    [InlineData("123456782")]
    [InlineData(" 123456782 ")]
    public void ElevenCheckPasses_IsValid(string bsn) => Assert.True(Bsn.IsValid(bsn));

    [Theory]
    [InlineData("123456789")] // fails the 11-check
    [InlineData("000000000")]
    [InlineData("12345678a")]
    [InlineData("1234567")]
    [InlineData("1234567890")]
    [InlineData("")]
    public void ElevenCheckFails_IsInvalid(string bsn) => Assert.False(Bsn.IsValid(bsn));

    [Fact]
    public void EightDigits_GetALeadingZero()
    {
        // 012345672: 9*0+8*1+7*2+6*3+5*4+4*5+3*6+2*7-2 = 110 = 10*11
        Assert.Equal("012345672", Bsn.Normalise("12345672"));
    }

    [Fact]
    public void InvalidBsnSubject_IsMalformed_NamingTheElevenCheckAndField()
    {
        var error = Assert.Throws<ChainGatewayException>(() => SubjectId.Bsn("123456789", "signal.risk_assessed.subject.bsn"));
        Assert.Equal(ReasonCode.Malformed, error.Reason);
        Assert.Equal("signal.risk_assessed.subject.bsn", error.FieldPath);
        Assert.Contains("11-check", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SubjectToString_NeverShowsTheIdentifier() =>
        Assert.DoesNotContain("123456782", SubjectId.Bsn("123456782", "x").ToString(), StringComparison.Ordinal);

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ééé")]
    public void BadLocalId_IsMalformed(string id) =>
        Assert.Equal(ReasonCode.Malformed, Assert.Throws<ChainGatewayException>(() => SubjectId.Local(id, "p")).Reason);
}
