// Confluent.Kafka 2.16.0 (librdkafka 2.x) on the Kafka endpoint with SASL PLAIN and the Event Hubs connection
// string: an idempotent producer, a consumer group that commits and resumes after a rejoin, and each codec. Event
// Hubs accepts only uncompressed and gzip batches, so the other codecs must be refused with
// UNSUPPORTED_COMPRESSION_TYPE, which makes them "not applicable" cells rather than passes.
using Confluent.Kafka;
using static Conformance.Report;

namespace Conformance;

public static class KafkaChecks
{
    static readonly string Hub = Env("CONF_DOTNET_HUB");
    static readonly string CodecHub = Env("CONF_DOTNET_CODEC_HUB");

    // readme:start dotnet-kafka
    // Event Hubs' Kafka settings, with the emulator's bootstrap address (9092) and Event Hubs connection string.
    static T Auth<T>(T config) where T : ClientConfig
    {
        config.BootstrapServers = Env("KAFKA_BOOTSTRAP_SERVERS");
        config.SecurityProtocol = SecurityProtocol.SaslPlaintext;
        config.SaslMechanism = SaslMechanism.Plain;
        config.SaslUsername = "$ConnectionString";
        config.SaslPassword = Env("EVENTHUBS_CONNECTION_STRING");
        return config;
    }
    // readme:end dotnet-kafka

    public static IEnumerable<(string, Func<Task>)> All() =>
    [
        ("produce (idempotence on)", IdempotentProduce),
        ("consume in a group + commit", ConsumeAndCommit),
        ("rejoin resumes after commit", RejoinResumes),
        ("codec-none", Codec(CompressionType.None)),
        ("codec-gzip", Codec(CompressionType.Gzip)),
        ("codec-snappy", Codec(CompressionType.Snappy)),
        ("codec-lz4", Codec(CompressionType.Lz4)),
        ("codec-zstd", Codec(CompressionType.Zstd)),
    ];

    static IProducer<string, string> Producer(Action<ProducerConfig>? configure = null)
    {
        var config = Auth(new ProducerConfig { MessageTimeoutMs = 15000 });
        configure?.Invoke(config);
        return new ProducerBuilder<string, string>(config).Build();
    }

    static async Task IdempotentProduce()
    {
        using var producer = Producer(c => { c.EnableIdempotence = true; c.Acks = Acks.All; });
        var message = new Message<string, string> { Key = "k", Value = Unique("idempotent") };
        var result = await producer.ProduceAsync(Hub, message);
        Require(result.Status == PersistenceStatus.Persisted, $"status {result.Status}");
    }

    static readonly string Group = Unique("dotnet-group");
    static readonly string FirstValue = Unique("first");

    static IConsumer<string, string> Consumer(string group) =>
        new ConsumerBuilder<string, string>(Auth(new ConsumerConfig
        {
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 10000,
        })).Build();

    /// <summary>Consumes until a record with this value arrives; returns every value seen on the way.</summary>
    static List<string> ConsumeUntil(IConsumer<string, string> consumer, string value, bool commit)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null || result.IsPartitionEOF) continue;
            seen.Add(result.Message.Value);
            if (result.Message.Value != value) continue;
            if (commit) consumer.Commit(result);
            return seen;
        }
        throw new TimeoutException($"record {value} not consumed within 20 s; saw [{string.Join(", ", seen)}]");
    }

    static async Task ConsumeAndCommit()
    {
        using (var producer = Producer())
            await producer.ProduceAsync(Hub, new Message<string, string> { Key = "k", Value = FirstValue });
        using var consumer = Consumer(Group);
        consumer.Subscribe(Hub);
        ConsumeUntil(consumer, FirstValue, commit: true);
        var committed = consumer.Committed(TimeSpan.FromSeconds(10));
        Require(committed.Any(c => c.Offset.Value > 0), $"no committed offset: {string.Join(", ", committed)}");
        consumer.Close();
    }

    static async Task RejoinResumes()
    {
        var second = Unique("second");
        using (var producer = Producer())
            await producer.ProduceAsync(Hub, new Message<string, string> { Key = "k", Value = second });
        using var consumer = Consumer(Group);
        consumer.Subscribe(Hub);
        var seen = ConsumeUntil(consumer, second, commit: true);
        Require(!seen.Contains(FirstValue),
            $"the rejoined member read the committed record again: [{string.Join(", ", seen)}]");
        consumer.Close();
    }

    static Func<Task> Codec(CompressionType codec) => async () =>
    {
        // Compressible on purpose: librdkafka sends a batch uncompressed when compressing would not make it smaller,
        // and a short unique value alone would then never test the codec at all.
        var value = Unique($"codec-{codec}") + string.Concat(Enumerable.Repeat(" festival", 100));
        using var producer = Producer(c => { c.CompressionType = codec; c.MessageSendMaxRetries = 0; });
        var refusedByEventHubs = codec is CompressionType.Snappy or CompressionType.Lz4 or CompressionType.Zstd;
        try
        {
            await producer.ProduceAsync(CodecHub, new Message<string, string> { Key = "k", Value = value });
        }
        catch (ProduceException<string, string> ex) when (refusedByEventHubs)
        {
            Require(ex.Error.Code == ErrorCode.UnsupportedCompressionType,
                $"refused with {ex.Error.Code} ({ex.Error.Reason}), expected UnsupportedCompressionType");
            throw new NotApplicableException(
                "Event Hubs' Kafka endpoint accepts only uncompressed and gzip batches " +
                "(learn.microsoft.com/azure/event-hubs/apache-kafka-configurations); " +
                $"refused as Event Hubs does: {ex.Error.Reason}");
        }
        using var consumer = Consumer(Unique("codec-group"));
        consumer.Subscribe(CodecHub);
        ConsumeUntil(consumer, value, commit: false);
        consumer.Close();
        // librdkafka turns zstd off unless the broker offers Fetch v10; Event Hubs offers Fetch up to v6 (and so does
        // the emulator), so against either the "zstd" batch travels uncompressed and is stored.
        if (codec == CompressionType.Zstd)
            throw new NotApplicableException(
                "Event Hubs' Kafka endpoint accepts only uncompressed and gzip batches; librdkafka does not even " +
                "send zstd to it (zstd needs Fetch v10, Event Hubs offers at most v6), so the batch went " +
                "uncompressed and was stored");
        Require(!refusedByEventHubs,
            $"{codec} batch accepted (sent uncompressed or stored compressed); " +
            $"Event Hubs refuses {codec} with UNSUPPORTED_COMPRESSION_TYPE");
    };
}
