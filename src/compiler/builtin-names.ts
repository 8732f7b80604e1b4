/**
 * Every builtin name the reference's binder accepts without a declaration: the 378 names of
 * its run-time registry (every family, including those this runtime does not implement yet)
 * and its 23 callback intrinsics. A name outside this list, the prelude constants and the
 * program's own declarations is an unknown symbol at compile time (AT2002).
 *
 * Whether a name is *implemented* is the runtime's business (an unimplemented one fails
 * with UndefinedVariable when it is reached, as before); the front-end only needs to know
 * that the name exists in the language.
 */

const REGISTRY: readonly string[] = [
  'print', 'len', 'str', 'split', 'join', 'trim', 'trimStart', 'trimEnd', 'indexOf', 'lastIndexOf', 'includes',
  'toUpperCase', 'toLowerCase', 'substring', 'charAt', 'repeat', 'replace', 'padStart', 'padEnd', 'startsWith',
  'endsWith', 'arrayPush', 'arrayPop', 'arrayShift', 'arrayUnshift', 'arrayReverse', 'arraySort', 'pop',
  'shift', 'unshift', 'reverse', 'concat', 'flatten', 'arrayIndexOf', 'arrayLastIndexOf', 'arrayIncludes',
  'slice', 'abs', 'floor', 'ceil', 'round', 'min', 'max', 'sqrt', 'pow', 'log', 'sin', 'cos', 'tan', 'asin',
  'acos', 'atan', 'clamp', 'sign', 'random', 'parseJSON', 'toJSON', 'isValidJSON', 'prettifyJSON',
  'minifyJSON', 'jsonAsString', 'jsonAsNumber', 'jsonAsBool', 'jsonIsNull', 'typeof', 'isString', 'isNumber',
  'isBool', 'isNull', 'isArray', 'isFunction', 'isObject', 'isType', 'hasField', 'hasMethod', 'hasTag',
  'toString', 'toNumber', 'toBool', 'parseInt', 'parseFloat', 'Some', 'None', 'is_some', 'is_none', 'Ok',
  'Err', 'is_ok', 'is_err', 'unwrap', 'unwrap_or', 'expect', 'result_ok', 'result_err', 'readFile',
  'writeFile', 'appendFile', 'fileExists', 'readDir', 'createDir', 'removeFile', 'removeDir', 'fileInfo',
  'pathJoin', 'reflect_typeof', 'reflect_is_callable', 'reflect_is_primitive', 'reflect_same_type',
  'reflect_get_length', 'reflect_is_empty', 'reflect_type_describe', 'reflect_clone',
  'reflect_value_to_string', 'reflect_deep_equals', 'reflect_get_function_name', 'reflect_get_function_arity',
  'hashMapNew', 'hashMapFromEntries', 'hashMapPut', 'hashMapGet', 'hashMapRemove', 'hashMapHas', 'hashMapSize',
  'hashMapIsEmpty', 'hashMapClear', 'hashMapKeys', 'hashMapValues', 'hashMapEntries', 'hashSetNew',
  'hashSetFromArray', 'hashSetAdd', 'hashSetRemove', 'hashSetHas', 'hashSetSize', 'hashSetIsEmpty',
  'hashSetClear', 'hashSetUnion', 'hashSetIntersection', 'hashSetDifference', 'hashSetSymmetricDifference',
  'hashSetIsSubset', 'hashSetIsSuperset', 'hashSetToArray', 'queueNew', 'queueEnqueue', 'queueDequeue',
  'queuePeek', 'queueSize', 'queueIsEmpty', 'queueClear', 'queueToArray', 'stackNew', 'stackPush', 'stackPop',
  'stackPeek', 'stackSize', 'stackIsEmpty', 'stackClear', 'stackToArray', 'regexNew', 'regexNewWithFlags',
  'regexEscape', 'regexIsMatch', 'regexFind', 'regexFindAll', 'regexCaptures', 'regexCapturesNamed',
  'regexReplace', 'regexReplaceAll', 'regexSplit', 'regexSplitN', 'regexMatchIndices', 'regexTest',
  'dateTimeNow', 'dateTimeFromTimestamp', 'dateTimeFromComponents', 'dateTimeParseIso', 'dateTimeUtc',
  'dateTimeYear', 'dateTimeMonth', 'dateTimeDay', 'dateTimeHour', 'dateTimeMinute', 'dateTimeSecond',
  'dateTimeWeekday', 'dateTimeDayOfYear', 'dateTimeAddSeconds', 'dateTimeAddMinutes', 'dateTimeAddHours',
  'dateTimeAddDays', 'dateTimeDiff', 'dateTimeCompare', 'dateTimeToTimestamp', 'dateTimeToIso',
  'dateTimeFormat', 'dateTimeToRfc3339', 'dateTimeToRfc2822', 'dateTimeToCustom', 'dateTimeParse',
  'dateTimeParseRfc3339', 'dateTimeParseRfc2822', 'dateTimeTryParse', 'dateTimeToUtc', 'dateTimeToLocal',
  'dateTimeToTimezone', 'dateTimeGetTimezone', 'dateTimeGetOffset', 'dateTimeInTimezone',
  'durationFromSeconds', 'durationFromMinutes', 'durationFromHours', 'durationFromDays', 'durationFormat',
  'httpRequest', 'httpRequestGet', 'httpRequestPost', 'httpRequestPut', 'httpRequestDelete',
  'httpRequestPatch', 'httpSetHeader', 'httpSetBody', 'httpSetTimeout', 'httpSetQuery',
  'httpSetFollowRedirects', 'httpSetMaxRedirects', 'httpSetUserAgent', 'httpSetAuth', 'httpStatus', 'httpBody',
  'httpHeader', 'httpHeaders', 'httpUrl', 'httpIsSuccess', 'httpStatusText', 'httpContentType',
  'httpContentLength', 'httpIsRedirect', 'httpIsClientError', 'httpIsServerError', 'httpSend', 'httpGet',
  'httpPost', 'httpPut', 'httpDelete', 'httpPatch', 'httpPostJson', 'httpParseJson', 'httpGetJson',
  'httpCheckPermission', 'futureResolve', 'futureReject', 'futureNew', 'futureIsPending', 'futureIsResolved',
  'futureIsRejected', 'futureThen', 'futureCatch', 'futureAll', 'futureRace', 'readFileAsync',
  'writeFileAsync', 'appendFileAsync', 'httpSendAsync', 'httpGetAsync', 'httpPostAsync', 'httpPutAsync',
  'httpDeleteAsync', 'await', 'spawn', 'taskJoin', 'taskStatus', 'taskCancel', 'taskId', 'taskName', 'joinAll',
  'channelBounded', 'channelUnbounded', 'channelSend', 'channelReceive', 'channelSelect', 'channelIsClosed',
  'sleep', 'timer', 'interval', 'timeout', 'asyncMutex', 'asyncMutexGet', 'asyncMutexSet', 'exec', 'shell',
  'getEnv', 'setEnv', 'unsetEnv', 'listEnv', 'getCwd', 'getPid', 'pathJoinArray', 'pathParse', 'pathNormalize',
  'pathAbsolute', 'pathRelative', 'pathParent', 'pathBasename', 'pathDirname', 'pathExtension',
  'pathIsAbsolute', 'pathIsRelative', 'pathExists', 'pathCanonical', 'pathEquals', 'pathHomedir', 'pathCwd',
  'pathTempdir', 'pathSeparator', 'pathDelimiter', 'pathExtSeparator', 'pathDrive', 'pathToPlatform',
  'pathToPosix', 'pathToWindows', 'fsMkdir', 'fsMkdirp', 'fsRmdir', 'fsRmdirRecursive', 'fsReaddir', 'fsWalk',
  'fsFilterEntries', 'fsSortEntries', 'fsSize', 'fsMtime', 'fsCtime', 'fsAtime', 'fsPermissions', 'fsIsDir',
  'fsIsFile', 'fsIsSymlink', 'fsInode', 'fsTmpfile', 'fsTmpdir', 'fsTmpfileNamed', 'fsGetTempDir', 'fsSymlink',
  'fsReadlink', 'fsResolveSymlink', 'gzipCompress', 'gzipDecompress', 'gzipDecompressString', 'gzipIsGzip',
  'gzipCompressionRatio', 'tarCreate', 'tarCreateGz', 'tarExtract', 'tarExtractGz', 'tarList', 'tarContains',
  'zipCreate', 'zipCreateWithComment', 'zipExtract', 'zipExtractFiles', 'zipList', 'zipContains',
  'zipCompressionRatio', 'zipAddFile', 'zipValidate', 'zipComment', 'assert', 'assertFalse', 'assertEqual',
  'assertNotEqual', 'assertOk', 'assertErr', 'assertSome', 'assertNone', 'assertContains', 'assertEmpty',
  'assertLength', 'assertThrows', 'assertNoThrow',
];

const INTRINSICS: readonly string[] = [
  'map', 'filter', 'reduce', 'forEach', 'find', 'findIndex', 'flatMap', 'some', 'every', 'sort', 'sortBy',
  'result_map', 'result_map_err', 'result_and_then', 'result_or_else', 'hashMapForEach', 'hashMapMap',
  'hashMapFilter', 'hashSetForEach', 'hashSetMap', 'hashSetFilter', 'regexReplaceWith', 'regexReplaceAllWith',
];

const ALL: ReadonlySet<string> = new Set([...REGISTRY, ...INTRINSICS]);

/** Whether `name` is a builtin of the language (registry or intrinsic). */
export function isBuiltinName(name: string): boolean {
  return ALL.has(name);
}

/** Every builtin name, for did-you-mean suggestions. */
export function builtinNames(): Iterable<string> {
  return ALL;
}
