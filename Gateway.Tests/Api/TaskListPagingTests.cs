using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Api;

/// <summary>
/// A circle's task list page by page: <c>?before=ID</c> goes on from a task, and the <c>Link</c>
/// header names the next page while older tasks remain, with a status filter or without.
/// </summary>
[TestFixture]
public sealed partial class TaskListPagingTests : ApiFixture
{
    [Test]
    public async Task Pages_WalkTheWholeListNewestFirst_EachTaskOnce_AndTheLastNamesNoNextPage()
    {
        var circle = TestRedis.NewCircle("pages");
        var made = await SubmitBatchAsync(circle, Enumerable.Range(0, 7).Select(i => $"{i}"));

        var (first, next1) = await ListAsync($"/api/circles/{circle}/tasks?limit=3");
        Assert.That(next1, Is.EqualTo($"/api/circles/{circle}/tasks?before={first[^1]}&limit=3"));
        var (second, next2) = await ListAsync(next1!);
        var (third, next3) = await ListAsync(next2!);

        Assert.That(first.Concat(second).Concat(third), Is.EqualTo(made.AsEnumerable().Reverse()));
        Assert.That((second.Count, third.Count), Is.EqualTo((3, 1)));
        Assert.That(next3, Is.Null, "the list ended");
    }

    [Test]
    public async Task APageThatEndsWhereTheListDoes_NamesNoNextPage_WithAFilterOrWithout()
    {
        var circle = TestRedis.NewCircle("pages");
        var made = await SubmitBatchAsync(circle, Enumerable.Range(0, 6).Select(i => $"{i}"));

        var (first, next1) = await ListAsync($"/api/circles/{circle}/tasks?limit=3");
        var (second, next2) = await ListAsync(next1!);
        var (whole, nextWhole) = await ListAsync($"/api/circles/{circle}/tasks?limit=6");
        var (completed, nextCompleted) = await ListAsync($"/api/circles/{circle}/tasks?status=completed&limit=6");

        Assert.That(first.Concat(second), Is.EqualTo(made.AsEnumerable().Reverse()));
        Assert.That(next1, Is.Not.Null, "three older tasks remain");
        Assert.That(next2, Is.Null, "the second page took the oldest task");
        Assert.That((whole.Count, nextWhole), Is.EqualTo((6, (string?)null)));
        Assert.That((completed.Count, nextCompleted), Is.EqualTo((6, (string?)null)));
    }

    [Test]
    public async Task AStatusFilter_ReadsABoundedStretchPerPage_AndTheNextPagesFindWhatIsOlder()
    {
        // One completed task, then more failed ones than one filtered request reads.
        var circle = TestRedis.NewCircle("pages");
        var completed = await SubmitBatchAsync(circle, ["1"]);
        var newer = TaskReader.MaxScanned + 150;
        for (var done = 0; done < newer; done += 1000)
            await SubmitBatchAsync(circle, Enumerable.Repeat("throw new Error('newer')", Math.Min(1000, newer - done)));

        var (page, next) = await ListAsync($"/api/circles/{circle}/tasks?status=completed&limit=10");
        Assert.That(page, Is.Empty, $"the newest {TaskReader.MaxScanned} tasks all failed");
        Assert.That(next, Does.Contain("status=completed").And.Contain("limit=10"), "a next page while older tasks remain");

        var pages = 1;
        var found = new List<string>();
        while (next is not null && pages < 10)
        {
            (page, next) = await ListAsync(next);
            found.AddRange(page);
            pages++;
        }
        Assert.That(found, Is.EqualTo(completed));
        Assert.That(next, Is.Null);
        Assert.That(pages, Is.EqualTo(2), "the second page reads on to the end of the list");
    }

    [Test]
    public async Task TheFailedFilter_ReadsTheCircleIndexOfFailures_SoItsPagesAreFullHoweverManyTasksAreNewer()
    {
        // Failures between completed tasks, then more completed ones than a filtered request of
        // another status reads.
        var circle = TestRedis.NewCircle("pages");
        var mixed = await SubmitBatchAsync(circle, Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? $"throw new Error('{i}')" : $"{i}"));
        var failures = mixed.Where((_, i) => i % 2 == 0).ToList();
        var newer = TaskReader.MaxScanned + 150;
        for (var done = 0; done < newer; done += 1000)
            await SubmitBatchAsync(circle, Enumerable.Repeat("1", Math.Min(1000, newer - done)));

        var (first, next1) = await ListAsync($"/api/circles/{circle}/tasks?status=failed&limit=2");
        var (second, next2) = await ListAsync(next1!);
        var (rest, next3) = await ListAsync($"/api/circles/{circle}/tasks?status=failed&limit=3&before={second[^1]}");
        var figures = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"));

        // The latest failure first: the batch ran its tasks at once, so in no order known here.
        Assert.That((first.Count, second.Count, rest.Count), Is.EqualTo((2, 2, 1)), "full pages of failures");
        Assert.That(first.Concat(second).Concat(rest), Is.EquivalentTo(failures), "each failure once");
        Assert.That(next1, Is.EqualTo($"/api/circles/{circle}/tasks?before={first[^1]}&limit=2&status=failed"));
        Assert.That(next3, Is.Null, "the page took the earliest failure");
        Assert.That(next2, Is.Not.Null);
        Assert.That(figures.Body!["failed"]!.GetValue<long>(), Is.EqualTo(5), figures.ToString());
    }

    [Test]
    public async Task Before_AnIdNoLongerListed_PlacesThePageByTheTimeItsIdCarries()
    {
        var circle = TestRedis.NewCircle("pages");
        var made = await SubmitBatchAsync(circle, ["1", "2"]);

        // An id of the far future: every task is older. One of 1970: none is.
        var (all, _) = await ListAsync($"/api/circles/{circle}/tasks?before=ffffffffffff7000a000000000000000");
        var (none, after) = await ListAsync($"/api/circles/{circle}/tasks?before=000000000001700080000000000000ff");

        Assert.That(all, Is.EqualTo(made.AsEnumerable().Reverse()));
        Assert.That(none, Is.Empty);
        Assert.That(after, Is.Null);
    }

    [TestCase("xyz")]
    [TestCase("01A22C1BC4087FF882561408D71A8663")]
    [TestCase("01a22c1bc4087ff882561408d71a866")]
    public async Task Before_NotATaskId_Is400NamingIt(string before)
    {
        var response = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{TestRedis.NewCircle("pages")}/tasks?before={before}"));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
        Assert.That(response.Body!["errors"]!["before"], Is.Not.Null, response.ToString());
    }

    /// <summary>Submits the scripts as one batch that waits for all of them; their ids in submit order.</summary>
    private async Task<List<string>> SubmitBatchAsync(string circle, IEnumerable<string> scripts)
    {
        var body = new JsonObject { ["tasks"] = new JsonArray(scripts.Select(s => (JsonNode)new JsonObject { ["script"] = s }).ToArray()) };
        var response = await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{circle}/tasks/batch?wait=60",
            new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json")));
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
        return response.Body!["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToList();
    }

    /// <summary>The ids of one page and the path its <c>Link</c> header names as the next, if any.</summary>
    private async Task<(List<string> Ids, string? Next)> ListAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var read = await GatewayClient.ReadAsync(response);
        Assert.That(read.Status, Is.EqualTo(HttpStatusCode.OK), read.ToString());
        var ids = read.Body!["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToList();
        var link = response.Headers.TryGetValues("Link", out var links) ? links.Single() : null;
        if (link is null)
            return (ids, null);
        var match = NextLink().Match(link);
        Assert.That(match.Success, Is.True, link);
        return (ids, match.Groups[1].Value);
    }

    [GeneratedRegex("^<([^>]+)>; rel=\"next\"$")]
    private static partial Regex NextLink();
}
