// Azure.Messaging.ServiceBus 7.21.0 against the emulator: data plane over AMQP with the emulator's connection string
// (UseDevelopmentEmulator=true: plain TCP), and ServiceBusAdministrationClient over the emulator's HTTP port, which
// the same flag makes the SDK call with http:// (as Microsoft's emulator does on port 5300).
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using static Conformance.Report;

namespace Conformance;

public static class ServiceBusChecks
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    // A refused operation should become a cell with its error, not minutes of retries.
    static readonly ServiceBusClientOptions FailFast = new()
    {
        RetryOptions = new ServiceBusRetryOptions { MaxRetries = 1, TryTimeout = TimeSpan.FromSeconds(10) },
    };

    // readme:start dotnet-servicebus
    // The connection string the emulator prints (UseDevelopmentEmulator=true: plain AMQP on port 5672).
    static readonly ServiceBusClient Client = new(Env("SERVICEBUS_CONNECTION_STRING"), FailFast);
    // The same string with the HTTP port (5300): with the flag, the .NET administration client speaks plain http.
    static ServiceBusAdministrationClient Admin => new(Env("SERVICEBUS_ADMIN_CONNECTION_STRING"));
    // readme:end dotnet-servicebus

    static readonly string Queue = Env("CONF_DOTNET_QUEUE");
    static readonly string SessionQueue = Env("CONF_DOTNET_SESSION_QUEUE");
    static readonly string Topic = Env("CONF_DOTNET_TOPIC");
    static readonly string Subscription = Env("CONF_DOTNET_SUBSCRIPTION");

    public static IEnumerable<(string, Func<Task>)> All() =>
    [
        ("send", Send),
        ("receive", Receive),
        ("complete", Complete),
        ("abandon", Abandon),
        ("defer + receive deferred", Defer),
        ("dead-letter + read DLQ", DeadLetter),
        ("sessions", Sessions),
        ("schedule", Schedule),
        ("cancel scheduled", CancelScheduled),
        ("rules (ServiceBusRuleManager)", Rules),
        ("admin: queue", AdminQueue),
        ("admin: topic", AdminTopic),
        ("admin: subscription", AdminSubscription),
        ("admin: rule", AdminRule),
        ("admin: runtime properties", RuntimeProperties),
    ];

    static string sentBody = "";

    static async Task Send()
    {
        sentBody = Unique("send");
        await using var sender = Client.CreateSender(Queue);
        var message = new ServiceBusMessage(sentBody) { MessageId = sentBody, Subject = "conformance" };
        await sender.SendMessageAsync(message);
    }

    static ServiceBusReceivedMessage? received;
    static ServiceBusReceiver? receiver;

    static async Task Receive()
    {
        receiver = Client.CreateReceiver(Queue);
        received = await receiver.ReceiveMessageAsync(Wait);
        Require(received is not null, "no message within 10 s");
        Require(received!.Body.ToString() == sentBody, $"expected body {sentBody}, got {received.Body}");
        Require(received.Subject == "conformance", $"subject lost: {received.Subject}");
    }

    static async Task Complete()
    {
        Require(received is not null && receiver is not null, "nothing received to complete");
        await receiver!.CompleteMessageAsync(received!);
        var again = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(2));
        Require(again is null, $"a completed message came back: {again?.Body}");
        await receiver.DisposeAsync();
    }

    static async Task<(ServiceBusReceiver, ServiceBusReceivedMessage)> SendAndReceive(string prefix)
    {
        var body = Unique(prefix);
        await using (var sender = Client.CreateSender(Queue))
            await sender.SendMessageAsync(new ServiceBusMessage(body));
        var r = Client.CreateReceiver(Queue);
        var message = await r.ReceiveMessageAsync(Wait);
        Require(message?.Body.ToString() == body, $"expected {body}, got {message?.Body}");
        return (r, message!);
    }

    static async Task Abandon()
    {
        var (r, message) = await SendAndReceive("abandon");
        await r.AbandonMessageAsync(message);
        var again = await r.ReceiveMessageAsync(Wait);
        Require(again?.MessageId == message.MessageId, "abandoned message not redelivered");
        Require(again!.DeliveryCount == message.DeliveryCount + 1,
            $"delivery count {again.DeliveryCount} after abandon");
        await r.CompleteMessageAsync(again);
        await r.DisposeAsync();
    }

    static async Task Defer()
    {
        var (r, message) = await SendAndReceive("defer");
        await r.DeferMessageAsync(message);
        var deferred = await r.ReceiveDeferredMessageAsync(message.SequenceNumber);
        Require(deferred?.MessageId == message.MessageId, "deferred message not returned by sequence number");
        Require(deferred!.State == ServiceBusMessageState.Deferred, $"state {deferred.State}, expected Deferred");
        await r.CompleteMessageAsync(deferred);
        await r.DisposeAsync();
    }

    static async Task DeadLetter()
    {
        var (r, message) = await SendAndReceive("dead-letter");
        await r.DeadLetterMessageAsync(message, "ConformanceReason", "dead-lettered by the conformance suite");
        await r.DisposeAsync();
        var deadLetterQueue = new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter };
        await using var dlq = Client.CreateReceiver(Queue, deadLetterQueue);
        var dead = await dlq.ReceiveMessageAsync(Wait);
        Require(dead?.MessageId == message.MessageId, "message not in the dead-letter queue");
        Require(dead!.DeadLetterReason == "ConformanceReason", $"reason {dead.DeadLetterReason}");
        Require(dead.DeadLetterErrorDescription == "dead-lettered by the conformance suite", "description lost");
        await dlq.CompleteMessageAsync(dead);
    }

    static async Task Sessions()
    {
        var session = Unique("session");
        await using (var sender = Client.CreateSender(SessionQueue))
        {
            await sender.SendMessagesAsync([
                new ServiceBusMessage("first") { SessionId = session },
                new ServiceBusMessage("second") { SessionId = session },
            ]);
        }
        await using var r = await Client.AcceptSessionAsync(SessionQueue, session);
        var first = await r.ReceiveMessageAsync(Wait);
        var second = await r.ReceiveMessageAsync(Wait);
        Require(first?.Body.ToString() == "first" && second?.Body.ToString() == "second",
            $"session order: {first?.Body}, {second?.Body}");
        await r.SetSessionStateAsync(BinaryData.FromString("state-1"));
        var state = await r.GetSessionStateAsync();
        Require(state?.ToString() == "state-1", $"session state {state}");
        await r.CompleteMessageAsync(first!);
        await r.CompleteMessageAsync(second!);
    }

    static async Task Schedule()
    {
        var body = Unique("scheduled");
        await using var sender = Client.CreateSender(Queue);
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        var sequence = await sender.ScheduleMessageAsync(new ServiceBusMessage(body), at);
        await using var r = Client.CreateReceiver(Queue);
        var peeked = await r.PeekMessageAsync(sequence);
        Require(peeked?.Body.ToString() == body, "scheduled message not visible to peek");
        Require(peeked!.State == ServiceBusMessageState.Scheduled, $"peeked state {peeked.State}, expected Scheduled");
        var early = await r.ReceiveMessageAsync(TimeSpan.FromMilliseconds(500));
        Require(early is null, "scheduled message delivered before its time");
        var message = await r.ReceiveMessageAsync(Wait);
        Require(message?.Body.ToString() == body, "scheduled message not delivered after its time");
        Require(message!.ScheduledEnqueueTime.ToUnixTimeSeconds() == at.ToUnixTimeSeconds(),
            $"ScheduledEnqueueTime {message.ScheduledEnqueueTime:O}, expected {at:O}");
        await r.CompleteMessageAsync(message);
    }

    static async Task CancelScheduled()
    {
        await using var sender = Client.CreateSender(Queue);
        var inAnHour = DateTimeOffset.UtcNow.AddHours(1);
        var sequence = await sender.ScheduleMessageAsync(new ServiceBusMessage(Unique("cancel")), inAnHour);
        await sender.CancelScheduledMessageAsync(sequence);
        await using var r = Client.CreateReceiver(Queue);
        var peeked = await r.PeekMessageAsync(sequence);
        Require(peeked is null || peeked.SequenceNumber != sequence, "cancelled message still peekable");
    }

    static async Task Rules()
    {
        await using var rules = Client.CreateRuleManager(Topic, Subscription);
        var names = new List<string>();
        await foreach (var rule in rules.GetRulesAsync()) names.Add(rule.Name);
        Require(names.Contains("$Default"), $"rules before: {string.Join(",", names)}");
        await rules.CreateRuleAsync("red-only", new SqlRuleFilter("color = 'red'"));
        await rules.DeleteRuleAsync("$Default");
        await using (var sender = Client.CreateSender(Topic))
        {
            var blue = new ServiceBusMessage("blue") { ApplicationProperties = { ["color"] = "blue" } };
            var red = new ServiceBusMessage("red") { ApplicationProperties = { ["color"] = "red" } };
            await sender.SendMessagesAsync([blue, red]);
        }
        await using var r = Client.CreateReceiver(Topic, Subscription);
        var got = await r.ReceiveMessageAsync(Wait);
        Require(got?.Body.ToString() == "red", $"expected only the red message, got {got?.Body}");
        await r.CompleteMessageAsync(got!);
        var none = await r.ReceiveMessageAsync(TimeSpan.FromSeconds(1));
        Require(none is null, $"filtered-out message delivered: {none?.Body}");
    }

    static async Task AdminQueue()
    {
        var admin = Admin;
        var name = Unique("admin-queue");
        var created = await admin.CreateQueueAsync(new CreateQueueOptions(name) { MaxDeliveryCount = 7 });
        Require(created.Value.MaxDeliveryCount == 7, $"MaxDeliveryCount {created.Value.MaxDeliveryCount}");
        var props = (await admin.GetQueueAsync(name)).Value;
        props.LockDuration = TimeSpan.FromSeconds(45);
        var updated = (await admin.UpdateQueueAsync(props)).Value;
        Require(updated.LockDuration == TimeSpan.FromSeconds(45), $"LockDuration {updated.LockDuration}");
        Require((await admin.QueueExistsAsync(name)).Value, "queue does not exist after create");
        await admin.DeleteQueueAsync(name);
        Require(!(await admin.QueueExistsAsync(name)).Value, "queue still exists after delete");
    }

    static async Task AdminTopic()
    {
        var admin = Admin;
        var name = Unique("admin-topic");
        await admin.CreateTopicAsync(new CreateTopicOptions(name) { DefaultMessageTimeToLive = TimeSpan.FromHours(2) });
        var props = (await admin.GetTopicAsync(name)).Value;
        Require(props.DefaultMessageTimeToLive == TimeSpan.FromHours(2), $"TTL {props.DefaultMessageTimeToLive}");
        props.DefaultMessageTimeToLive = TimeSpan.FromHours(3);
        var updated = (await admin.UpdateTopicAsync(props)).Value;
        Require(updated.DefaultMessageTimeToLive == TimeSpan.FromHours(3),
            $"TTL after update {updated.DefaultMessageTimeToLive}");
        var names = new List<string>();
        await foreach (var t in admin.GetTopicsAsync()) names.Add(t.Name);
        Require(names.Contains(name), "created topic not listed");
        await admin.DeleteTopicAsync(name);
        Require(!(await admin.TopicExistsAsync(name)).Value, "topic still exists after delete");
    }

    static async Task AdminSubscription()
    {
        var admin = Admin;
        var topic = Unique("admin-sub-topic");
        await admin.CreateTopicAsync(topic);
        await admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "audit") { MaxDeliveryCount = 4 });
        var props = (await admin.GetSubscriptionAsync(topic, "audit")).Value;
        Require(props.MaxDeliveryCount == 4, $"MaxDeliveryCount {props.MaxDeliveryCount}");
        props.MaxDeliveryCount = 9;
        var updated = (await admin.UpdateSubscriptionAsync(props)).Value;
        Require(updated.MaxDeliveryCount == 9, $"MaxDeliveryCount after update {updated.MaxDeliveryCount}");
        await admin.DeleteSubscriptionAsync(topic, "audit");
        Require(!(await admin.SubscriptionExistsAsync(topic, "audit")).Value, "subscription still exists after delete");
        await admin.DeleteTopicAsync(topic);
    }

    static async Task AdminRule()
    {
        var admin = Admin;
        var topic = Unique("admin-rule-topic");
        await admin.CreateTopicAsync(topic);
        await admin.CreateSubscriptionAsync(topic, "s");
        var filter = new CorrelationRuleFilter { Subject = "ticket", ApplicationProperties = { ["tier"] = "vip" } };
        await admin.CreateRuleAsync(topic, "s", new CreateRuleOptions("vip", filter));
        var rule = (await admin.GetRuleAsync(topic, "s", "vip")).Value;
        Require(rule.Filter is CorrelationRuleFilter c && c.Subject == "ticket", $"filter read back as {rule.Filter}");
        rule.Filter = new SqlRuleFilter("tier = 'gold'");
        rule.Action = new SqlRuleAction("SET touched = 'yes'");
        var updated = (await admin.UpdateRuleAsync(topic, "s", rule)).Value;
        Require(updated.Filter is SqlRuleFilter s && s.SqlExpression == "tier = 'gold'",
            $"filter after update {updated.Filter}");
        await admin.DeleteRuleAsync(topic, "s", "vip");
        Require(!(await admin.RuleExistsAsync(topic, "s", "vip")).Value, "rule still exists after delete");
        await admin.DeleteTopicAsync(topic);
    }

    static async Task RuntimeProperties()
    {
        var admin = Admin;
        var name = Unique("runtime-queue");
        await admin.CreateQueueAsync(name);
        await using (var sender = Client.CreateSender(name))
        {
            await sender.SendMessagesAsync([new ServiceBusMessage("a"), new ServiceBusMessage("b")]);
            await sender.ScheduleMessageAsync(new ServiceBusMessage("later"), DateTimeOffset.UtcNow.AddHours(1));
        }
        var runtime = (await admin.GetQueueRuntimePropertiesAsync(name)).Value;
        Require(runtime.ActiveMessageCount == 2, $"ActiveMessageCount {runtime.ActiveMessageCount}, expected 2");
        Require(runtime.ScheduledMessageCount == 1,
            $"ScheduledMessageCount {runtime.ScheduledMessageCount}, expected 1");
        var ns = (await admin.GetNamespacePropertiesAsync()).Value;
        Require(!string.IsNullOrEmpty(ns.Name), "namespace properties without a name");
        await admin.DeleteQueueAsync(name);
    }
}
