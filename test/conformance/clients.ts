/**
 * The clients of other languages the conformance suite runs, each as a child process: what it needs on the machine
 * (so a missing tool is a "skipped" column, never a failure), how it is started, and the features it must report.
 * Every version is pinned (NuGet in the .csproj, Debian packages in .ci/run) so a new client release cannot change
 * the matrix silently.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const conformanceDir = fileURLToPath(new URL(".", import.meta.url));
/** Debian's interpreter, not a pyenv one first on PATH: the python3-* client packages live only there. */
export const debianPython = "/usr/bin/python3";

export interface ClientSpec {
  /** Column name in the matrix, with the pinned version. */
  name: string;
  features: readonly string[];
  /** Why the client cannot run on this machine, or undefined when it can. */
  unavailable(): string | undefined;
  command: string;
  args: string[];
  timeoutMs: number;
}

function pythonModuleMissing(module: string, debianPackage: string): string | undefined {
  if (!existsSync(debianPython)) return `${debianPython} not found`;
  try {
    execFileSync(debianPython, ["-c", `import ${module}`], { stdio: "ignore", timeout: 15_000 });
    return undefined;
  } catch {
    return `Python module ${module} not found (apt-get install ${debianPackage})`;
  }
}

function commandMissing(command: string, hint: string): string | undefined {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return undefined;
  } catch {
    return `${command} not found (${hint})`;
  }
}

const codecs = ["codec-none", "codec-gzip", "codec-snappy", "codec-lz4", "codec-zstd"] as const;
const py = (file: string) => [`${conformanceDir}python/${file}`];

/** The .NET clients share one console app (dotnet/); its first argument picks the SDK. */
export const dotnetClients: ClientSpec[] = [
  {
    name: "Azure.Messaging.ServiceBus 7.21.0 (.NET)",
    features: [
      "send", "receive", "complete", "abandon", "defer + receive deferred", "dead-letter + read DLQ", "sessions",
      "schedule", "cancel scheduled", "rules (ServiceBusRuleManager)", "admin: queue", "admin: topic",
      "admin: subscription", "admin: rule", "admin: runtime properties",
    ],
    unavailable: () => commandMissing("dotnet", "install the .NET SDK 10"),
    command: "dotnet",
    args: ["servicebus"],
    timeoutMs: 120_000,
  },
  {
    name: "Azure.Messaging.EventGrid 4.17.0 (.NET)",
    features: ["publish EventGridEvent", "publish CloudEvent", "publish custom schema"],
    unavailable: () => commandMissing("dotnet", "install the .NET SDK 10"),
    command: "dotnet",
    args: ["eventgrid"],
    timeoutMs: 90_000,
  },
  {
    name: "Confluent.Kafka 2.16.0 (.NET)",
    features: ["produce (idempotence on)", "consume in a group + commit", "rejoin resumes after commit", ...codecs],
    unavailable: () => commandMissing("dotnet", "install the .NET SDK 10"),
    command: "dotnet",
    args: ["kafka"],
    timeoutMs: 150_000,
  },
];

export const debianClients: ClientSpec[] = [
  {
    name: "qpid-proton 0.37 (Python, Debian)",
    features: [
      "CBS put-token", "send", "receive with credit", "settle (accept)", "settle (release redelivers)",
      "sender + receiver with one link name (proton's default naming)",
    ],
    unavailable: () => pythonModuleMissing("proton", "python3-qpid-proton"),
    command: debianPython,
    args: py("proton_client.py"),
    timeoutMs: 60_000,
  },
  {
    name: "kcat 1.7.1 (Debian)",
    features: [
      "SASL PLAIN $ConnectionString", "SASL_SSL (TLS, as Event Hubs' 9093)", "metadata (-L)", "produce", "consume",
    ],
    unavailable: () => commandMissing("kcat", "apt-get install kcat") ?? pythonModuleMissing("json", "python3"),
    command: debianPython,
    args: py("kcat_client.py"),
    timeoutMs: 60_000,
  },
  {
    name: "kafka-python 2.0.2 (Debian)",
    features: ["SASL PLAIN login (SaslHandshake v0)", "produce", "consume in a group"],
    unavailable: () => pythonModuleMissing("kafka", "python3-kafka"),
    command: debianPython,
    args: py("kafka_python_client.py"),
    timeoutMs: 90_000,
  },
  {
    name: "confluent-kafka 1.7 on librdkafka 2.0.2 (Python, Debian)",
    features: [...codecs],
    unavailable: () => pythonModuleMissing("confluent_kafka", "python3-confluent-kafka"),
    command: debianPython,
    args: py("confluent_kafka_client.py"),
    timeoutMs: 90_000,
  },
  {
    name: "Java-producer defaults via librdkafka (no Java Kafka client in Debian)",
    features: ["produce (enable.idempotence=true, acks=all)", "consume it back"],
    unavailable: () => pythonModuleMissing("confluent_kafka", "python3-confluent-kafka"),
    command: debianPython,
    args: py("java_style_producer.py"),
    timeoutMs: 60_000,
  },
  {
    name: "azure-servicebus 7.8 (Python, Debian)",
    features: ["send over AMQPS (TLS 5671)", "receive over AMQPS + complete"],
    unavailable: () => pythonModuleMissing("azure.servicebus", "python3-azure"),
    command: debianPython,
    args: py("azure_servicebus_client.py"),
    timeoutMs: 60_000,
  },
  {
    name: "azure-eventgrid (Python, Debian)",
    features: ["publish with generate_sas token"],
    unavailable: () => pythonModuleMissing("azure.eventgrid", "python3-azure"),
    command: debianPython,
    args: py("azure_eventgrid_client.py"),
    timeoutMs: 60_000,
  },
];
