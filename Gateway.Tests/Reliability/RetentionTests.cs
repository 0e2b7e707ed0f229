using Gateway.Core.Configuration;
using Gateway.Core.Queueing;
using Gateway.Core.Redis;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Reliability;

/// <summary>A finished task's record expires after the retention, which may be a fraction of an hour.</summary>
[TestFixture]
public sealed class RetentionTests
{
    [Test]
    public async Task Complete_FractionalRetention_RecordExpiresAfterThatShare_OfAnHour()
    {
        var circle = TestRedis.NewCircle("retain");
        var queue = new TaskQueue(TestRedis.Connection, TimeProvider.System, Options.Create(new TaskOptions { RetentionHours = 0.05 }));
        var task = (await queue.SubmitAsync(circle, [new NewTask("1", "null", 1000)])).Single();
        var claimed = (await queue.ClaimAsync(circle, "w-test", 1, TimeSpan.FromSeconds(30))).Single();

        var completed = await queue.CompleteAsync(claimed, new TaskOutcome(TaskState.Completed, "1", null, "", 1));

        var ttl = await TestRedis.Connection.GetDatabase().KeyTimeToLiveAsync(RedisKeys.Task(circle, task.Id));
        Assert.That(completed.Written, Is.True);
        Assert.That(ttl, Is.Not.Null.And.InRange(TimeSpan.FromMinutes(2.5), TimeSpan.FromMinutes(3)), "0.05 h is three minutes");
    }

    [Test]
    public void Validate_RetentionBelowAMinute_IsRefused()
    {
        var options = new TaskOptions { RetentionHours = 0.001 };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var valid = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
            options, new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true);
        Assert.That(valid, Is.False);
        Assert.That(results.Single().MemberNames, Is.EqualTo(new[] { nameof(TaskOptions.RetentionHours) }));
    }
}
