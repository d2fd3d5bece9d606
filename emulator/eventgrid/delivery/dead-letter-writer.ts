/**
 * Where dead-lettered events go: a blob container of a configured storage account (Azurite locally), or, for an
 * account with no connection string, a folder laid out the same way (`<root>/<account>/<container>/<blob name>`).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

export interface DeadLetterWriter {
  readonly description: string;
  write(blobName: string, json: string): Promise<void>;
}

export class FolderDeadLetterWriter implements DeadLetterWriter {
  readonly description: string;
  constructor(private readonly dir: string) {
    this.description = `folder ${dir}`;
  }

  async write(blobName: string, json: string): Promise<void> {
    const file = path.join(this.dir, ...blobName.split("/"));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, json);
  }
}

export class BlobDeadLetterWriter implements DeadLetterWriter {
  readonly description: string;
  private container: Promise<import("@azure/storage-blob").ContainerClient> | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly containerName: string,
  ) {
    this.description = `blob container ${containerName}`;
  }

  private getContainer(): Promise<import("@azure/storage-blob").ContainerClient> {
    // Loaded on first use: most runs never dead-letter. Azure needs the container to exist; locally we create it.
    this.container ??= import("@azure/storage-blob").then(async ({ BlobServiceClient }) => {
      const container = BlobServiceClient.fromConnectionString(this.connectionString).getContainerClient(this.containerName);
      await container.createIfNotExists();
      return container;
    });
    this.container.catch(() => (this.container = undefined));
    return this.container;
  }

  async write(blobName: string, json: string): Promise<void> {
    const container = await this.getContainer();
    await container.getBlockBlobClient(blobName).upload(json, Buffer.byteLength(json), { blobHTTPHeaders: { blobContentType: "application/json" } });
  }
}
