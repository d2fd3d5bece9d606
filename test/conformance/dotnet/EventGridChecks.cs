// Azure.Messaging.EventGrid 4.17.0: EventGridPublisherClient with the topic key publishes each input schema to its
// own emulator topic, whose subscription delivers into a Service Bus queue; the check reads that queue, so a pass
// means the event was accepted *and* delivered in the subscription's delivery schema.
using System.Text.Json;
using Azure;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Messaging.ServiceBus;
using static Conformance.Report;

namespace Conformance;

public static class EventGridChecks
{
    static readonly ServiceBusClient Bus = new(Env("SERVICEBUS_CONNECTION_STRING"));

    public static IEnumerable<(string, Func<Task>)> All() =>
    [
        ("publish EventGridEvent", EventGridSchema),
        ("publish CloudEvent", CloudEventSchema),
        ("publish custom schema", CustomSchema),
    ];

    // readme:start dotnet-eventgrid
    // Each topic's endpoint and key, as the emulator prints them (http://localhost:5300/...; no certificate).
    static EventGridPublisherClient Publisher(string topic) =>
        new(new Uri(Env($"EG_{topic}_ENDPOINT")), new AzureKeyCredential(Env($"EG_{topic}_KEY")));
    // readme:end dotnet-eventgrid

    static async Task<JsonElement> Delivered(string queueVariable)
    {
        await using var receiver = Bus.CreateReceiver(Env(queueVariable));
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(15));
        Require(message is not null, "published, but nothing delivered to the subscription's queue within 15 s");
        await receiver.CompleteMessageAsync(message!);
        return JsonDocument.Parse(message!.Body.ToString()).RootElement;
    }

    static async Task EventGridSchema()
    {
        var sent = new EventGridEvent("tickets/1", "MusicFest.Conformance.Published", "1.0", new { seat = "A1" });
        await Publisher("CONFORMANCE_EVENTGRID_SCHEMA").SendEventAsync(sent);
        var delivered = await Delivered("CONF_EG_EVENT_GRID_QUEUE");
        Require(delivered.GetProperty("id").GetString() == sent.Id, $"delivered {delivered}");
        Require(delivered.GetProperty("data").GetProperty("seat").GetString() == "A1", "data lost");
        Require(delivered.GetProperty("topic").GetString()?.Length > 0, "no topic set on delivery");
    }

    static async Task CloudEventSchema()
    {
        var sent = new CloudEvent("/conformance", "MusicFest.Conformance.Published", new { seat = "B2" });
        await Publisher("CONFORMANCE_CLOUDEVENT_SCHEMA").SendEventAsync(sent);
        var delivered = await Delivered("CONF_EG_CLOUD_EVENT_QUEUE");
        Require(delivered.GetProperty("id").GetString() == sent.Id, $"delivered {delivered}");
        Require(delivered.GetProperty("specversion").GetString() == "1.0", "specversion missing");
        Require(delivered.GetProperty("data").GetProperty("seat").GetString() == "B2", "data lost");
    }

    static async Task CustomSchema()
    {
        var orderId = Unique("order");
        var custom = new BinaryData(new { orderId, kind = "MusicFest.Conformance.Custom", seat = "C3" });
        await Publisher("CONFORMANCE_CUSTOM_SCHEMA").SendEventAsync(custom);
        var delivered = await Delivered("CONF_EG_CUSTOM_QUEUE");
        Require(delivered.GetProperty("orderId").GetString() == orderId, $"delivered {delivered}");
    }
}
