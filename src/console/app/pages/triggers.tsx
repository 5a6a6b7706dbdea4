// The Triggers tab: how the flow knows an upload is complete. Temp-file patterns (upload
// under a matching name, then rename), and optionally a trigger file per data file or
// per batch. Saved by replacing the flow's sources, keeping every flow endpoint's id
// (and so the users created in it).
import { useState } from 'preact/hooks';
import { DEFAULT_TEMP_FILE_PATTERNS } from '../../../core/model.js';
import { api, path } from '../api.js';
import { useSubmit } from '../hooks.js';
import type { Flow, FlowEndpoint, TriggerFile } from '../types.js';
import { Actions, Checkbox, Form, TextArea, TextField, lines } from '../ui/form.js';
import { announce } from '../ui/status.js';

type Mode = 'none' | TriggerFile['mode'];

export function TriggersPanel({ flow, source, onSaved }: { flow: Flow; source: FlowEndpoint; onSaved: () => void }) {
  const t = source.triggers;
  const [patterns, setPatterns] = useState((t?.tempFilePatterns ?? DEFAULT_TEMP_FILE_PATTERNS).join('\n'));
  const [mode, setMode] = useState<Mode>(t?.triggerFile?.mode ?? 'none');
  const [suffix, setSuffix] = useState(t?.triggerFile?.mode === 'per-file' ? t.triggerFile.suffix : '.trg');
  const [batchName, setBatchName] = useState(t?.triggerFile?.mode === 'batch' ? t.triggerFile.name : 'done.ok');
  const [deleteSource, setDeleteSource] = useState(source.deleteSourceAfterDelivery ?? false);
  const submit = useSubmit();

  const save = () =>
    submit.run(async () => {
      const triggerFile: TriggerFile | undefined = mode === 'per-file' ? { mode, suffix } : mode === 'batch' ? { mode, name: batchName } : undefined;
      const sources = flow.sources.map((s) => ({
        id: s.id,
        endpointId: s.endpointId,
        path: s.path,
        triggers: s.id === source.id ? { tempFilePatterns: lines(patterns), ...(triggerFile ? { triggerFile } : {}) } : s.triggers,
        deleteSourceAfterDelivery: s.id === source.id ? deleteSource : s.deleteSourceAfterDelivery,
      }));
      await api.patch<Flow>(path`flows/${flow.id}`, { sources });
      announce('Triggers saved. They apply to the next upload.');
      onSaved();
    });

  return (
    <Form label="Triggers" error={submit.error} busy={submit.busy} onSubmit={save}>
      <TextArea
        label="Temp file patterns"
        name="tempFilePatterns"
        rows={3}
        spellcheck={false}
        value={patterns}
        onValue={setPatterns}
        hint="One pattern per line, e.g. *.filepart. A file uploaded under a matching name and then renamed to a non-matching name is complete."
      />
      <fieldset class="choices">
        <legend>Trigger file</legend>
        <Radio name="trigger-mode" value="none" current={mode} onValue={setMode} label="None" />
        <Radio name="trigger-mode" value="per-file" current={mode} onValue={setMode} label="Per file: X is complete when X plus a suffix arrives" />
        {mode === 'per-file' ? (
          <TextField label="Suffix" name="triggerFile.suffix" value={suffix} onValue={setSuffix} spellcheck={false} hint="e.g. .trg: report.csv is complete when report.csv.trg arrives." />
        ) : null}
        <Radio name="trigger-mode" value="batch" current={mode} onValue={setMode} label="Batch: every file in the folder is complete when a named file arrives" />
        {mode === 'batch' ? (
          <TextField label="Batch file name" name="triggerFile.name" value={batchName} onValue={setBatchName} spellcheck={false} hint="e.g. done.ok. It is deleted once every file is processed." />
        ) : null}
      </fieldset>
      <p class="hint">An upload covered by none of these stays where it is, and Activity shows it as awaiting a trigger.</p>
      <Checkbox label="Delete the uploaded file once every delivery succeeded" name="deleteSourceAfterDelivery" checked={deleteSource} onValue={setDeleteSource} />
      <Actions>
        <button type="submit" class="button" disabled={submit.busy}>
          Save triggers
        </button>
      </Actions>
    </Form>
  );
}

function Radio({ name, value, current, onValue, label }: { name: string; value: Mode; current: Mode; onValue: (m: Mode) => void; label: string }) {
  const id = `${name}-${value}`;
  return (
    <div class="field-check">
      <input type="radio" id={id} name={name} value={value} checked={current === value} onChange={() => onValue(value)} />
      <label for={id}>{label}</label>
    </div>
  );
}
