// The endpoint form: name, type with the type's config fields, description. Creates an
// endpoint, or edits one (the type cannot change; a blank webhook secret keeps the old one).
import { useState } from 'preact/hooks';
import { ENDPOINT_TYPES } from '../../../core/model.js';
import { api, path } from '../api.js';
import { useSubmit } from '../hooks.js';
import { ENDPOINT_TYPE_LABELS } from '../labels.js';
import type { Endpoint, EndpointType } from '../types.js';
import { Actions, Form, SelectField, TextArea, TextField } from '../ui/form.js';

export interface EndpointFormProps {
  orgId: string;
  /** Edit this endpoint; absent: create one. */
  endpoint?: Endpoint;
  onSaved: (endpoint: Endpoint) => void;
  onCancel: () => void;
}

const TYPE_OPTIONS = ENDPOINT_TYPES.map((t) => ({ value: t, label: ENDPOINT_TYPE_LABELS[t] }));

export function EndpointForm({ orgId, endpoint, onSaved, onCancel }: EndpointFormProps) {
  const c = endpoint?.config ?? {};
  const [name, setName] = useState(endpoint?.name ?? '');
  const [type, setType] = useState<EndpointType>(endpoint?.type ?? 'thru-sftp-server');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [idle, setIdle] = useState(c.idleTimeoutSeconds === undefined ? '' : String(c.idleTimeoutSeconds));
  const [bucket, setBucket] = useState(c.bucket ?? '');
  const [prefix, setPrefix] = useState(c.prefix ?? '');
  const [url, setUrl] = useState(c.url ?? '');
  const [secret, setSecret] = useState('');
  const [folder, setFolder] = useState(c.path ?? '');
  const submit = useSubmit();

  const config = (): Record<string, unknown> | undefined => {
    switch (type) {
      case 'thru-sftp-server':
        // A number field holds '' when empty or not a number: the server's default then.
        return idle.trim() === '' ? undefined : { idleTimeoutSeconds: Number(idle) };
      case 's3':
        return { bucket, prefix };
      case 'webhook':
        return endpoint && secret === '' ? { url } : { url, secret };
      case 'directory':
        return { path: folder };
    }
  };

  const save = () =>
    submit.run(async () => {
      const cfg = config();
      const saved = endpoint
        ? await api.patch<Endpoint>(path`endpoints/${endpoint.id}`, { name, description, ...(cfg ? { config: cfg } : {}) })
        : await api.post<Endpoint>(path`organizations/${orgId}/endpoints`, { name, type, description, ...(cfg ? { config: cfg } : {}) });
      onSaved(saved);
    });

  return (
    <Form label={endpoint ? `Edit endpoint ${endpoint.name}` : 'New endpoint'} error={submit.error} busy={submit.busy} onSubmit={save}>
      <TextField label="Endpoint Name" name="name" required value={name} onValue={setName} autoComplete="off" />
      {endpoint ? (
        <p class="field-static">
          <span class="label">Type</span> {ENDPOINT_TYPE_LABELS[endpoint.type]}
        </p>
      ) : (
        <SelectField label="Type" name="type" value={type} onValue={(t) => setType(t)} options={TYPE_OPTIONS} />
      )}
      {type === 'thru-sftp-server' ? (
        <TextField
          label="Idle timeout (seconds)"
          name="config.idleTimeoutSeconds"
          type="number"
          inputMode="numeric"
          min={30}
          max={86400}
          placeholder="900"
          value={idle}
          onValue={setIdle}
          hint="Sessions without an SFTP request for this long are closed. Default 900 (15 minutes)."
        />
      ) : null}
      {type === 's3' ? (
        <>
          <TextField label="Bucket" name="config.bucket" required value={bucket} onValue={setBucket} spellcheck={false} />
          <TextField label="Prefix" name="config.prefix" value={prefix} onValue={setPrefix} spellcheck={false} hint="Folder inside the bucket, e.g. inbound/acme." />
        </>
      ) : null}
      {type === 'webhook' ? (
        <>
          <TextField label="URL" name="config.url" type="url" required value={url} onValue={setUrl} spellcheck={false} hint="Receives a JSON POST per delivered file." />
          <TextField
            label="Signing secret"
            name="config.secret"
            type="password"
            autoComplete="new-password"
            required={!endpoint}
            value={secret}
            onValue={setSecret}
            hint={endpoint ? 'Leave blank to keep the current secret. It is never shown.' : '16 to 256 characters; signs each POST with HMAC-SHA256. It is never shown again.'}
          />
        </>
      ) : null}
      {type === 'directory' ? (
        <TextField
          label="Folder path"
          name="config.path"
          required
          value={folder}
          onValue={setFolder}
          spellcheck={false}
          hint="An absolute folder on the server, e.g. /srv/thru/delivered."
        />
      ) : null}
      <TextArea label="Description" name="description" value={description} onValue={setDescription} />
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
