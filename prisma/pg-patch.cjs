// Loaded by prisma.config.ts only (migrations), never by the application.
// The wasm schema engine cannot read the "char" (18) and "name" (19) column types: present them as text.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS file, loaded through createRequire: require is its module system
const Query = require('pg/lib/query');
const handleRowDescription = Query.prototype.handleRowDescription;
Query.prototype.handleRowDescription = function (message) {
  for (const field of message.fields) if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
  return handleRowDescription.call(this, message);
};
// The wasm schema engine leaves a 10 s timer behind that delays every migrate command's exit.
const setTimeoutOriginal = global.setTimeout;
global.setTimeout = function (callback, milliseconds, ...rest) {
  const timer = setTimeoutOriginal(callback, milliseconds, ...rest);
  if (milliseconds >= 5000 && timer && typeof timer.unref === 'function') timer.unref();
  return timer;
};
