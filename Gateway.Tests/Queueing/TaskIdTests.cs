using Gateway.Core.Queueing;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Queueing;

[TestFixture]
public sealed class TaskIdTests
{
    [Test]
    public void IdsMadeInOneMillisecond_IncreaseInTheOrderMade_AndStayVersion7()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var ids = Enumerable.Range(0, 1000).Select(_ => TaskIds.New(time)).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Length));
            Assert.That(ids, Has.All.Matches<string>(TaskIds.IsWellFormed));
            // The 13th hex digit is the UUID's version.
            Assert.That(ids.Select(id => id[12]), Has.All.EqualTo('7'));
            Assert.That(ids.Select(id => Guid.ParseExact(id, "N").Version), Has.All.EqualTo(7));
        });
    }
}
