import { MeasurementError } from '../errors.js';

/** Splits CSV text into rows of fields (RFC 4180 quoting). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += character;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

function typed(text: string, datatype: string | undefined): unknown {
  switch (datatype) {
    case 'double':
      return text === '' ? null : text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
    case 'long':
    case 'unsignedLong':
      return text === '' ? null : Number(text);
    case 'boolean':
      return text === '' ? null : text === 'true';
    default:
      return text;
  }
}

/**
 * The `_value` of every record of an InfluxDB annotated-CSV answer, typed by its `#datatype` annotation,
 * in the order the tables list them.
 * @example fluxValues('#datatype,string,long,double\n#group,false,false,false\n#default,_result,,\n,result,table,_value\n,,0,0.97\n')
 * // [0.97]
 */
export function fluxValues(text: string): unknown[] {
  const values: unknown[] = [];
  let datatypes: string[] = [];
  let header: string[] | undefined;
  for (const row of csvRows(text)) {
    const first = row[0] ?? '';
    if (row.length === 1 && first === '') {
      header = undefined;
      continue;
    }
    if (first === '#datatype') {
      datatypes = row;
      header = undefined;
    } else if (first.startsWith('#')) continue;
    else if (!header) header = row;
    else {
      const column = header.indexOf('_value');
      if (column < 0) throw new MeasurementError('influxdb', 'flux table has no _value column');
      values.push(typed(row[column] ?? '', datatypes[column]));
    }
  }
  return values;
}
