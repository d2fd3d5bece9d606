/**
 * The pinned Bicep CLI, installed from NuGet into the project's cache folder (.cache/bicep, gitignored) with the
 * ordinary `dotnet` client: a throw-away project whose only item is a PackageDownload of the CLI's platform
 * package, restored with `--packages`. No global tool, no download by hand, and every clone compiles infra/ with the
 * same CLI. Shared by `npm run infra:build` and the contract tests on the compiled template (test/infra/).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The Bicep CLI version infra/ is compiled and linted with (NuGet: Azure.Bicep.CommandLine.<rid>). */
export const BICEP_VERSION = "0.49.2";

export const repoRoot = fileURLToPath(new URL("..", import.meta.url));
// BICEP_CACHE_DIR moves the cache (a CI cache folder; the tests use it to play a machine without the CLI).
const cacheDir = process.env.BICEP_CACHE_DIR || join(repoRoot, ".cache", "bicep");

/** Where to get dotnet, said whenever it is missing. */
export const INSTALL_HINT =
  "Install the .NET SDK (https://dot.net/download, e.g. `apt-get install dotnet-sdk-10.0`); " +
  `npm run infra:build then restores the Bicep CLI ${BICEP_VERSION} from NuGet into .cache/bicep.`;

export type BicepCli = { ok: true; path: string } | { ok: false; reason: string };

/** NuGet's runtime identifier of this machine, as the CLI's package names spell it. */
function runtimeId(): string | undefined {
  const os = { linux: "linux", darwin: "osx", win32: "win" }[process.platform as string];
  const arch = { x64: "x64", arm64: "arm64" }[process.arch as string];
  return os && arch ? `${os}-${arch}` : undefined;
}

function run(command: string, args: string[], cwd?: string) {
  // Quiet and offline-friendly dotnet: no first-run banner, no telemetry.
  const env = {
    ...process.env,
    DOTNET_NOLOGO: "1",
    DOTNET_CLI_TELEMETRY_OPTOUT: "1",
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE: "1",
  };
  return spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** The cached CLI, restored first if it is not there yet. Never throws: says why when it cannot. */
export function ensureBicep(): BicepCli {
  const rid = runtimeId();
  if (!rid) return { ok: false, reason: `no Bicep CLI package for ${process.platform}-${process.arch}` };
  const packageId = `Azure.Bicep.CommandLine.${rid}`;
  const exeName = rid.startsWith("win") ? "bicep.exe" : "bicep";
  const versionDir = join(cacheDir, "packages", packageId.toLowerCase(), BICEP_VERSION);
  const exe = join(versionDir, "tools", exeName);
  if (!existsSync(exe)) {
    const sdk = run("dotnet", ["--version"]);
    if (sdk.error || sdk.status !== 0) return { ok: false, reason: `\`dotnet\` is not on PATH. ${INSTALL_HINT}` };
    // The restore needs a target framework the installed SDK knows: its own.
    const framework = `net${sdk.stdout.trim().split(".")[0]}.0`;
    // Each process restores into its own folder and moves the result into place, so test files that start at once
    // on a fresh clone do not restore over each other; the first to finish wins, the others use its copy.
    const work = join(cacheDir, `restore-${process.pid}`);
    mkdirSync(work, { recursive: true });
    writeFileSync(
      join(work, "bicep-cli.csproj"),
      `<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>${framework}</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="${packageId}" Version="[${BICEP_VERSION}]" /></ItemGroup>
</Project>
`,
    );
    try {
      const restore = run("dotnet", ["restore", "bicep-cli.csproj", "--packages", "packages"], work);
      const restored = join(work, "packages", packageId.toLowerCase(), BICEP_VERSION);
      if (restore.status !== 0 || !existsSync(join(restored, "tools", exeName))) {
        const output = `${restore.stdout ?? ""}${restore.stderr ?? ""}`.trim().split("\n").slice(-8).join("\n");
        return { ok: false, reason: `dotnet restore of ${packageId} ${BICEP_VERSION} from NuGet failed:\n${output}` };
      }
      // NuGet extracts files without their mode bits on some platforms.
      if (!rid.startsWith("win")) chmodSync(join(restored, "tools", exeName), 0o755);
      mkdirSync(dirname(versionDir), { recursive: true });
      try {
        renameSync(restored, versionDir);
      } catch (error) {
        if (!existsSync(exe)) throw error;
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return { ok: true, path: exe };
}

export interface BicepRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args`; the status is non-zero when it could not start as well as when it failed. */
export function runBicep(cli: string, args: string[]): BicepRun {
  const result = run(cli, args);
  const stderr = `${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
  return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr };
}

/** One diagnostic of `bicep lint`: a linter rule or a compiler check (BCPnnn), at a file and line. */
export interface LintFinding {
  level: "Error" | "Warning" | "Info";
  rule: string;
  message: string;
  file: string;
  line: number;
}

// The CLI's plain diagnostics format: `<file>(<line>,<column>) : <Level> <rule>: <message>`.
const DIAGNOSTIC = /^(.+)\((\d+),\d+\) : (Error|Warning|Info) ([\w-]+): (.*)$/;

/**
 * `bicep lint` on every .bicep file under `folder` in one CLI run (one start-up instead of one per file). Fails on
 * any finding, warning or error (infra/ treats warnings as errors), and when the CLI itself fails.
 */
export function lintFolder(cli: string, folder: string): { findings: LintFinding[]; failed: boolean; output: string } {
  const result = runBicep(cli, ["lint", "--pattern", join(folder, "**", "*.bicep")]);
  const output = `${result.stdout}${result.stderr}`;
  const findings = output.split("\n").flatMap((line) => {
    const m = DIAGNOSTIC.exec(line.trim());
    if (!m) return [];
    return [{ file: m[1], line: Number(m[2]), level: m[3] as LintFinding["level"], rule: m[4], message: m[5] }];
  });
  return { findings, failed: result.status !== 0 || findings.some((f) => f.level !== "Info"), output };
}
