import { MAX_ID_BYTES } from '../../functions/views-consumer/parse';
import { ATTRIBUTES, PARTITION_KEY, SORT_KEY, minuteKey, userKey } from '../../functions/views-consumer/views';
import type { ViewsApiLimits } from './views-api-props';

/**
 * The API Gateway mapping templates (VTL) of the views API: each endpoint is one DynamoDB call
 * (GetItem or Query) shaped by a request template, and one response template that turns every
 * outcome (item, no item, bad input, DynamoDB error) into the API's JSON. The construct deploys
 * these strings and the contract tests render the same strings against moto.
 *
 * Why the input is checked twice: a request template cannot answer the caller itself. When the
 * input is bad, it sends DynamoDB a request that fails validation before reading anything (an
 * empty key, which DynamoDB rejects with a 400), and the response template, which sees the same
 * parameters, runs the same checks and answers with the precise 400. Nothing the caller sends
 * reaches the DynamoDB request unless it passed the checks, and strings are JSON-escaped.
 */

/** The key prefixes and names of functions/views-consumer/views.ts: the API reads the layout the consumer writes. */
const USER = userKey('');
const MINUTE = minuteKey('', '');
/** The item GetItem reads for /health: never written, so the check costs one read of nothing. */
export const HEALTH_KEY = { pk: 'API_HEALTH', sk: 'CHECK' } as const;

/** `yyyy-MM-ddTHH:mm` in UTC, the minutes of the views' sort keys, with field ranges. */
export const MINUTE_PATTERN = '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]';
/** A user id or event type: what the consumer accepts as a key part (no control characters). */
export const ID_PATTERN = `[^\\x00-\\x1f]{1,${MAX_ID_BYTES}}`;
/** Base64 of a 16-character minute: the only tokens this API hands out. */
export const TOKEN_PATTERN = '[A-Za-z0-9+/]{22}==';

export interface TemplateSettings {
  /** The table name, as CloudFormation will know it (a token at synth time, a name in tests). */
  readonly tableName: string;
  readonly limits: ViewsApiLimits;
}

export interface EndpointTemplates {
  readonly request: string;
  /** The same template for every integration response (200, 4xx, 5xx): it decides the status. */
  readonly response: string;
}

/**
 * Constants as single-quoted VTL strings, which Velocity neither interpolates nor parses for
 * directives: `#` in `USER#` or `#name` must not be read as a directive.
 */
function constants(): string {
  const set = (name: string, value: string) => {
    if (value.includes("'")) throw new Error(`VTL constant ${name} may not contain a quote: ${value}`);
    return `#set($${name} = '${value}')`;
  };
  return [
    set('h', '#'),
    set('pkName', PARTITION_KEY),
    set('skName', SORT_KEY),
    set('userPk', USER.pk),
    set('userSk', USER.sk),
    set('typePk', MINUTE.pk),
    set('minuteSk', MINUTE.sk),
    set('digits', '0123456789'),
    '#set($error = "")',
  ].join('\n');
}

/** A caller's string inside a JSON string: escapeJavaScript, minus its `\'`, which JSON does not allow. */
const jsonString = (ref: string) => `$util.escapeJavaScript(${ref}).replaceAll("\\\\'", "'")`;

/** `$target` = minutes since 1970 of the minute string in `$source` (already matched against MINUTE_PATTERN). */
function epochMinutes(source: string, target: string): string {
  // Integer parsing by digit lookup and exact divisions ((a - a % b) / b), which Velocity (Java
  // integers) and velocityjs (JavaScript numbers) compute alike; days from Howard Hinnant's
  // days_from_civil, for years from 1970 on.
  const number = (start: number, length: number) =>
    Array.from({ length }, (_, i) => `$digits.indexOf($${source}.substring(${start + i}, ${start + i + 1})) * ${10 ** (length - 1 - i)}`).join(' + ');
  return [
    `#set($y = ${number(0, 4)})`,
    `#set($mo = ${number(5, 2)})`,
    `#set($dd = ${number(8, 2)})`,
    `#set($hh = ${number(11, 2)})`,
    `#set($mi = ${number(14, 2)})`,
    '#if($mo <= 2)',
    '#set($y = $y - 1)',
    '#set($mp = $mo + 9)',
    '#{else}',
    '#set($mp = $mo - 3)',
    '#end',
    '#set($era = ($y - $y % 400) / 400)',
    '#set($yoe = $y - $era * 400)',
    '#set($doyA = 153 * $mp + 2)',
    '#set($doy = ($doyA - $doyA % 5) / 5 + $dd - 1)',
    '#set($doe = $yoe * 365 + ($yoe - $yoe % 4) / 4 - ($yoe - $yoe % 100) / 100 + $doy)',
    `#set($${target} = (($era * 146097 + $doe - 719468) * 24 + $hh) * 60 + $mi)`,
  ].join('\n');
}

/** Sets `$error` to a message when the user id is unusable. */
function validateUser(): string {
  return [
    `#set($userId = "$!input.params('userId')")`,
    `#if(!$userId.matches("${ID_PATTERN}"))`,
    `#set($error = "userId must be 1 to ${MAX_ID_BYTES} characters without control characters")`,
    '#end',
  ].join('\n');
}

/** Sets `$error` when the event type, range, limit or token is unusable; otherwise `$limit` and, when paging, `$start`. */
function validateMinutes(limits: ViewsApiLimits): string {
  const { maxRangeMinutes, defaultPageSize, maxPageSize } = limits;
  if (maxPageSize > 9999 || defaultPageSize > maxPageSize || defaultPageSize < 1) throw new Error(`views API limits: need 1 <= defaultPageSize <= maxPageSize <= 9999; got ${JSON.stringify(limits)}`);
  const limitPattern = `[1-9][0-9]{0,${String(maxPageSize).length - 1}}`;
  return [
    `#set($eventType = "$!input.params('eventType')")`,
    `#set($from = "$!input.params('from')")`,
    `#set($to = "$!input.params('to')")`,
    `#set($limitParam = "$!input.params('limit')")`,
    `#set($token = "$!input.params('nextToken')")`,
    `#set($limit = ${defaultPageSize})`,
    '#set($start = "")',
    `#if(!$eventType.matches("${ID_PATTERN}"))`,
    `#set($error = "eventType must be 1 to ${MAX_ID_BYTES} characters without control characters")`,
    `#elseif(!$from.matches("${MINUTE_PATTERN}"))`,
    '#set($error = "from must be a UTC minute, yyyy-MM-ddTHH:mm (e.g. 2026-11-22T10:00)")',
    `#elseif(!$to.matches("${MINUTE_PATTERN}"))`,
    '#set($error = "to must be a UTC minute, yyyy-MM-ddTHH:mm (e.g. 2026-11-22T10:59)")',
    '#{else}',
    epochMinutes('from', 'fromMinutes'),
    epochMinutes('to', 'toMinutes'),
    '#set($span = $toMinutes - $fromMinutes)',
    '#if($span < 0)',
    '#set($error = "to must not be before from")',
    `#elseif($span >= ${maxRangeMinutes})`,
    `#set($error = "the range from..to covers more than ${maxRangeMinutes} minutes; ask for at most ${maxRangeMinutes} (both ends included)")`,
    '#end',
    '#end',
    '#if($error == "" && $limitParam != "")',
    `#if(!$limitParam.matches("${limitPattern}"))`,
    `#set($error = "limit must be a whole number from 1 to ${maxPageSize}")`,
    '#{else}',
    '#set($limit = $util.parseJson($limitParam))',
    `#if($limit > ${maxPageSize})`,
    `#set($error = "limit must be a whole number from 1 to ${maxPageSize}")`,
    '#end',
    '#end',
    '#end',
    '#if($error == "" && $token != "")',
    `#if(!$token.matches("${TOKEN_PATTERN}"))`,
    '#set($error = "nextToken is not a token this API returned")',
    '#{else}',
    '#set($start = $util.base64Decode($token))',
    `#if(!$start.matches("${MINUTE_PATTERN}"))`,
    '#set($error = "nextToken is not a token this API returned")',
    '#{else}',
    epochMinutes('start', 'startMinutes'),
    '#if($startMinutes < $fromMinutes || $startMinutes >= $toMinutes)',
    '#set($error = "nextToken belongs to another range: repeat the request that returned it")',
    '#end',
    '#end',
    '#end',
    '#end',
  ].join('\n');
}

/** A request DynamoDB refuses before reading anything (an empty key value), sent when the input is bad. */
const refusedGetItem = (tableName: string) => `{"TableName": "${tableName}", "Key": {"$pkName": {"S": ""}, "$skName": {"S": ""}}}`;
const refusedQuery = (tableName: string) => `{"TableName": "${tableName}", "KeyConditionExpression": "\${h}pk = :pk", "ExpressionAttributeNames": {"\${h}pk": "$pkName"}, "ExpressionAttributeValues": {":pk": {"S": ""}}}`;

const errorBody = (status: number, code: string, message: string) =>
  [`#set($context.responseOverride.status = ${status})`, `{"error": "${code}", "message": "${message}", "requestId": "$context.requestId"}`].join('\n');

/** The answer to bad input (`$error`), or to an error DynamoDB returned (`$type`); `ok` otherwise. */
function outcome(ok: string): string {
  return [
    `#set($type = "$!input.path('$.__type')")`,
    '#if($error != "")',
    errorBody(400, 'BadRequest', '$error'),
    '#elseif($type != "")',
    `#set($dynamoMessage = "$!input.path('$.message')$!input.path('$.Message')")`,
    '#if($type.endsWith("ProvisionedThroughputExceededException") || $type.endsWith("ThrottlingException") || $type.endsWith("RequestLimitExceeded"))',
    errorBody(429, 'Throttled', 'The views table is busy; retry with backoff'),
    '#elseif($type.endsWith("ValidationException"))',
    errorBody(400, 'BadRequest', `The views table refused the request: ${jsonString('$dynamoMessage')}`),
    '#{else}',
    // Access, key or table errors are the platform's, not the caller's: no internals in the body;
    // the access log has the integration's error for this request id.
    errorBody(500, 'InternalError', 'The views API could not read the views table; report the requestId'),
    '#end',
    '#{else}',
    ok,
    '#end',
  ].join('\n');
}

/** `$ref` as a JSON number (DynamoDB's N text is one), or null when the attribute is absent. */
const jsonNumber = (ref: string) => `#if("$!${ref}" != "")${'$'}${ref}#{else}null#end`;

export function userTemplates({ tableName }: TemplateSettings): EndpointTemplates {
  const { events, amount, lastSeen } = ATTRIBUTES;
  const request = [
    constants(),
    validateUser(),
    '#if($error != "")',
    refusedGetItem(tableName),
    '#{else}',
    // Only the view's attributes: whatever else the consumer keeps on the item stays unread.
    `{"TableName": "${tableName}", "Key": {"$pkName": {"S": "$userPk${jsonString('$userId')}"}, "$skName": {"S": "$userSk"}}, ` +
      `"ProjectionExpression": "\${h}e, \${h}a, \${h}l", "ExpressionAttributeNames": {"\${h}e": "${events}", "\${h}a": "${amount}", "\${h}l": "${lastSeen}"}}`,
    '#end',
  ].join('\n');
  const response = [
    constants(),
    validateUser(),
    outcome(
      [
        `#set($item = $input.path('$.Item'))`,
        '#if("$!item" == "")',
        errorBody(404, 'NotFound', 'No views for this user: no event of theirs has been counted, or the id is wrong'),
        '#{else}',
        `{"userId": "${jsonString('$userId')}", "events": ${jsonNumber(`item.${events}.N`)}, "amount": ${jsonNumber(`item.${amount}.N`)}, ` +
          `"lastSeen": #if("$!item.${lastSeen}.S" != "")"${jsonString(`$item.${lastSeen}.S`)}"#{else}null#end}`,
        '#end',
      ].join('\n'),
    ),
  ].join('\n');
  return { request, response };
}

export function minutesTemplates({ tableName, limits }: TemplateSettings): EndpointTemplates {
  const { events, amount } = ATTRIBUTES;
  const typeKey = `$typePk${jsonString('$eventType')}`;
  const request = [
    constants(),
    validateMinutes(limits),
    '#if($error != "")',
    refusedQuery(tableName),
    '#{else}',
    `{"TableName": "${tableName}", "KeyConditionExpression": "\${h}pk = :pk AND \${h}sk BETWEEN :from AND :to", ` +
      `"ExpressionAttributeNames": {"\${h}pk": "$pkName", "\${h}sk": "$skName", "\${h}e": "${events}", "\${h}a": "${amount}"}, ` +
      `"ExpressionAttributeValues": {":pk": {"S": "${typeKey}"}, ":from": {"S": "$minuteSk$from"}, ":to": {"S": "$minuteSk$to"}}, ` +
      `"ProjectionExpression": "\${h}sk, \${h}e, \${h}a", "Limit": $limit` +
      `#if($start != ""), "ExclusiveStartKey": {"$pkName": {"S": "${typeKey}"}, "$skName": {"S": "$minuteSk$start"}}#end}`,
    '#end',
  ].join('\n');
  const response = [
    constants(),
    validateMinutes(limits),
    outcome(
      [
        `#set($lastKey = "$!input.path('$.LastEvaluatedKey.${SORT_KEY}.S')")`,
        `{"eventType": "${jsonString('$eventType')}", "from": "$from", "to": "$to", "minutes": [`,
        `#foreach($it in $input.path('$.Items'))`,
        `{"minute": "${jsonString(`$it.${SORT_KEY}.S.substring(${MINUTE.sk.length})`)}", "events": ${jsonNumber(`it.${events}.N`)}, "amount": ${jsonNumber(`it.${amount}.N`)}}#if($foreach.hasNext),#end`,
        '#end',
        `], "nextToken": #if($lastKey != "")"$util.base64Encode($lastKey.substring(${MINUTE.sk.length}))"#{else}null#end}`,
      ].join('\n'),
    ),
  ].join('\n');
  return { request, response };
}

export function healthTemplates({ tableName }: TemplateSettings): EndpointTemplates {
  const request = `{"TableName": "${tableName}", "Key": {"${PARTITION_KEY}": {"S": "${HEALTH_KEY.pk}"}, "${SORT_KEY}": {"S": "${HEALTH_KEY.sk}"}}}`;
  const response = [
    `#set($type = "$!input.path('$.__type')")`,
    '#if($type != "")',
    '#set($context.responseOverride.status = 503)',
    '{"status": "unavailable", "message": "The views table did not answer a read; report the requestId", "requestId": "$context.requestId"}',
    '#{else}',
    '{"status": "ok"}',
    '#end',
  ].join('\n');
  return { request, response };
}
