// The .NET conformance client: the official Azure SDKs and Confluent.Kafka, unchanged, against the emulator.
// The first argument picks the SDK; each feature prints one JSON line that test/conformance/run.ts folds into the
// matrix. Endpoints and entity names come from the environment the runner sets.
using Conformance;

var checks = args.FirstOrDefault() switch
{
    "servicebus" => ServiceBusChecks.All(),
    "eventgrid" => EventGridChecks.All(),
    "kafka" => KafkaChecks.All(),
    _ => null,
};
if (checks is null)
{
    Console.Error.WriteLine("usage: Conformance servicebus|eventgrid|kafka");
    return 2;
}
var client = args[0];
foreach (var (feature, check) in checks)
{
    await Report.Run(client, feature, check);
}
return 0;
