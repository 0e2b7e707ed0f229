using Gateway.Api.Apis;

namespace Gateway.Tests.Api;

[TestFixture]
public sealed class StoredJsonTests
{
    [TestCase("""{"a":1,"b":"text"}""", """{"a":1,"b":"text"}""", TestName = "{m}(no escapes)")]
    [TestCase("""["\u00e9\n"]""", """["\u00e9\n"]""", TestName = "{m}(other escapes stand)")]
    [TestCase("""["\ud83d\ude00"]""", """["\ud83d\ude00"]""", TestName = "{m}(a pair stands)")]
    [TestCase("""["\uD83D\uDE00"]""", """["\uD83D\uDE00"]""", TestName = "{m}(a pair in capitals stands)")]
    [TestCase("""["\ud800"]""", """["\ufffd"]""", TestName = "{m}(a lone high surrogate)")]
    [TestCase("""["x\udc00y"]""", """["x\ufffdy"]""", TestName = "{m}(a lone low surrogate)")]
    [TestCase("""["\ud800\u0041"]""", """["\ufffd\u0041"]""", TestName = "{m}(a high surrogate before another escape)")]
    [TestCase("""["\udc00\ud800"]""", """["\ufffd\ufffd"]""", TestName = "{m}(low then high: no pair)")]
    [TestCase("""["\ud800\ud800\udc00"]""", """["\ufffd\ud800\udc00"]""", TestName = "{m}(a lone high before a pair)")]
    [TestCase("""["\\ud800"]""", """["\\ud800"]""", TestName = "{m}(an escaped backslash is no escape)")]
    [TestCase("""["\\\ud800"]""", """["\\\ufffd"]""", TestName = "{m}(an escaped backslash, then a lone surrogate)")]
    [TestCase("""{"\ud800":1}""", """{"\ufffd":1}""", TestName = "{m}(in a property name)")]
    public void WellFormed_ReplacesEachEscapedSurrogateThatIsNotHalfOfAPair(string stored, string expected)
    {
        Assert.That(StoredJson.WellFormed(stored), Is.EqualTo(expected));
        // And the element can be written back, which is what failed.
        Assert.That(System.Text.Json.JsonSerializer.Serialize(StoredJson.ToElement(stored)), Is.Not.Empty);
    }

    [Test]
    public void ToElement_ThenWrite_FailsWithoutTheRepair()
    {
        // The reason for the type: the serializer reads a lone surrogate escape but cannot write it.
        var raw = System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>("""["\ud800"]""");
        Assert.That(() => System.Text.Json.JsonSerializer.Serialize(raw), Throws.InstanceOf<System.Text.Json.JsonException>());
        Assert.That(System.Text.Json.JsonSerializer.Serialize(StoredJson.ToElement("""["\ud800"]""")), Is.EqualTo("""["\uFFFD"]"""));
    }
}
