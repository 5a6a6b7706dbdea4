// A new flow: its name, source flow endpoints (a folder on a Thru SFTP Server endpoint,
// where partners upload) and target flow endpoints (where completed files are delivered).
// Triggers start with the server's defaults and are edited on the source's Triggers tab.
import { useState } from 'preact/hooks';
import { api, path } from '../api.js';
import { useSubmit } from '../hooks.js';
import { ENDPOINT_TYPE_LABELS } from '../labels.js';
import type { Endpoint, Flow } from '../types.js';
import { Actions, Form, SelectField, TextField } from '../ui/form.js';

interface Row {
  key: number;
  endpointId: string;
  path: string;
}

export interface FlowFormProps {
  orgId: string;
  endpoints: Endpoint[];
  onSaved: (flow: Flow) => void;
  onCancel: () => void;
}

let rowKeys = 0;
const newRow = (endpointId = ''): Row => ({ key: rowKeys++, endpointId, path: '/' });

export function FlowForm({ orgId, endpoints, onSaved, onCancel }: FlowFormProps) {
  const servers = endpoints.filter((e) => e.type === 'thru-sftp-server');
  const [name, setName] = useState('');
  const [sources, setSources] = useState<Row[]>(() => [newRow(servers.length === 1 ? servers[0]!.id : '')]);
  const [targets, setTargets] = useState<Row[]>(() => [newRow()]);
  const submit = useSubmit();
  const save = () =>
    submit.run(async () => {
      const ends = (rows: Row[]) => rows.map(({ endpointId, path: p }) => ({ endpointId, path: p }));
      onSaved(await api.post<Flow>(path`organizations/${orgId}/flows`, { name, sources: ends(sources), targets: ends(targets) }));
    });
  return (
    <Form label="New flow" error={submit.error} busy={submit.busy} onSubmit={save}>
      <TextField label="Flow name" name="name" required value={name} onValue={setName} autoComplete="off" />
      <FlowEndpointRows
        role="source"
        rows={sources}
        onRows={setSources}
        endpoints={servers}
        hint="Sources are folders on Thru SFTP Server endpoints; partners' users are created in them."
      />
      <FlowEndpointRows role="target" rows={targets} onRows={setTargets} endpoints={endpoints} hint="Each completed upload is delivered to every target." />
      <Actions>
        <button type="submit" class="button" disabled={submit.busy}>
          Save
        </button>
        <button type="button" class="button secondary" onClick={onCancel}>
          Cancel
        </button>
      </Actions>
    </Form>
  );
}

interface RowsProps {
  role: 'source' | 'target';
  rows: Row[];
  onRows: (rows: Row[]) => void;
  endpoints: Endpoint[];
  hint: string;
}

function FlowEndpointRows({ role, rows, onRows, endpoints, hint }: RowsProps) {
  const title = role === 'source' ? 'Sources' : 'Targets';
  const noun = role === 'source' ? 'Source' : 'Target';
  const options = [
    { value: '', label: 'Choose an endpoint' },
    ...endpoints.map((e) => ({ value: e.id, label: role === 'source' ? e.name : `${e.name} (${ENDPOINT_TYPE_LABELS[e.type]})` })),
  ];
  const update = (key: number, change: Partial<Row>) => onRows(rows.map((r) => (r.key === key ? { ...r, ...change } : r)));
  return (
    <fieldset class="rows">
      <legend>{title}</legend>
      <p class="hint">{hint}</p>
      {rows.map((row, i) => (
        <fieldset key={row.key} class="row">
          <legend>
            {noun} {i + 1}
          </legend>
          <SelectField label="Endpoint" name={`${role}s[${i}].endpointId`} value={row.endpointId} onValue={(endpointId) => update(row.key, { endpointId })} options={options} />
          <TextField label="Folder" name={`${role}s[${i}].path`} value={row.path} onValue={(p) => update(row.key, { path: p })} spellcheck={false} />
          {rows.length > (role === 'source' ? 1 : 0) ? (
            <button type="button" class="button secondary small" onClick={() => onRows(rows.filter((r) => r.key !== row.key))}>
              Remove {noun.toLowerCase()} {i + 1}
            </button>
          ) : null}
        </fieldset>
      ))}
      <button type="button" class="button secondary small" onClick={() => onRows([...rows, newRow()])}>
        <span class="icon" aria-hidden="true">+</span>Add {noun.toLowerCase()}
      </button>
    </fieldset>
  );
}
