/**
 * TableError, the one refusal type of the Table endpoint: an HTTP status, Azure's error code and Azure's message
 * text, made by named factories, so every refusal reads as Azure Table Storage's does
 * (https://learn.microsoft.com/rest/api/storageservices/table-service-error-codes).
 */
export class TableError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "TableError";
  }

  /** The same refusal for the n-th operation of an entity-group transaction (Azure prefixes "n:"). */
  at(index: number): TableError {
    return new TableError(this.status, this.code, `${index}:${this.message}`);
  }

  static tableNotFound(): TableError {
    return new TableError(404, "TableNotFound", "The table specified does not exist.");
  }
  static tableAlreadyExists(): TableError {
    return new TableError(409, "TableAlreadyExists", "The specified table already exists.");
  }
  static entityNotFound(): TableError {
    return new TableError(404, "ResourceNotFound", "The specified resource does not exist.");
  }
  static entityAlreadyExists(): TableError {
    return new TableError(409, "EntityAlreadyExists", "The specified entity already exists.");
  }
  static conditionNotSatisfied(): TableError {
    return new TableError(
      412,
      "UpdateConditionNotSatisfied",
      "The update condition specified in the request was not satisfied.",
    );
  }
  static invalidInput(detail: string): TableError {
    return new TableError(400, "InvalidInput", `One of the request inputs is not valid. ${detail}`);
  }
  static invalidTableName(): TableError {
    return new TableError(400, "InvalidResourceName", "The specifed resource name contains invalid characters.");
  }
  static invalidKey(which: string): TableError {
    return new TableError(
      400,
      "InvalidInput",
      `The ${which} contains characters that are not allowed (/ \\ # ? or control characters) or is longer than 1 KiB.`,
    );
  }
  static propertyValueTooLarge(name: string): TableError {
    return new TableError(
      400,
      "PropertyValueTooLarge",
      `The property value is larger than the maximum size permitted (64 KiB): ${name}.`,
    );
  }
  static invalidValueType(detail: string): TableError {
    return new TableError(400, "InvalidValueType", `The value specified is invalid. ${detail}`);
  }
  static propertyNameInvalid(name: string): TableError {
    return new TableError(
      400,
      "PropertyNameInvalid",
      `The property name is invalid: ${JSON.stringify(name.slice(0, 300))}.`,
    );
  }
  static entityTooLarge(): TableError {
    return new TableError(400, "EntityTooLarge", "The entity is larger than the maximum size permitted (1 MiB).");
  }
  static tooManyProperties(): TableError {
    return new TableError(
      400,
      "TooManyProperties",
      "The entity contains more properties than allowed (255 including PartitionKey, RowKey and Timestamp).",
    );
  }
  static invalidFilter(detail: string): TableError {
    return new TableError(400, "InvalidInput", `One of the request inputs is not valid. $filter: ${detail}`);
  }
  static batchPartitionMismatch(): TableError {
    return new TableError(
      400,
      "CommandsInBatchActOnDifferentPartitions",
      "All commands in a batch must operate on same entity group.",
    );
  }
  static batchTooLarge(): TableError {
    return new TableError(
      400,
      "InvalidInput",
      "The batch request operation exceeds the maximum 100 changes per change set.",
    );
  }
  static batchDuplicateRow(rowKey: string): TableError {
    return new TableError(
      400,
      "InvalidDuplicateRow",
      `A command with RowKey '${rowKey}' is already present in the batch. An entity can appear only once in a batch.`,
    );
  }
  static methodNotAllowed(method: string): TableError {
    return new TableError(
      405,
      "UnsupportedHttpVerb",
      `The resource doesn't support the specified HTTP verb ${method}.`,
    );
  }
  static unsupportedRequest(detail: string): TableError {
    return new TableError(
      400,
      "InvalidUri",
      `The requested URI does not represent any resource on the server. ${detail}`,
    );
  }
  static requestBodyTooLarge(): TableError {
    return new TableError(
      413,
      "RequestBodyTooLarge",
      "The request body is too large and exceeds the maximum permissible limit.",
    );
  }
  static storageUnavailable(): TableError {
    return new TableError(
      503,
      "ServerBusy",
      "The server is currently unable to receive requests. Please retry your request.",
    );
  }
}
