"use client";
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { ShareLevel } from "@/lib/auth/permissions";
import { ExportDialog } from "@/components/transfer/ExportDialog";

/**
 * Which rows of the profiles list are ticked for export. The table itself stays a server component:
 * this provider wraps it, and the checkboxes and the Export button read the selection from context.
 * The selection covers the page on screen; moving to another page, search or sort starts afresh
 * (the provider is keyed by the rows shown), so nobody exports rows they can no longer see.
 */
export interface SelectableProfile {
  id: string;
  name: string;
  level: ShareLevel;
}

interface SelectionState {
  rows: SelectableProfile[];
  selected: ReadonlySet<string>;
  toggle(id: string, on: boolean): void;
  setAll(on: boolean): void;
  /** all profiles this user can see (not only this page); null while a search narrows the list */
  visibleTotal: number | null;
  /** owners and admins manage every profile, so "all" may carry secrets */
  managesEverything: boolean;
}

const SelectionContext = createContext<SelectionState | null>(null);

function useSelection(): SelectionState {
  const state = useContext(SelectionContext);
  if (!state) throw new Error("export selection controls must sit inside <ExportSelection>");
  return state;
}

export function ExportSelection({
  rows,
  visibleTotal,
  managesEverything,
  children,
}: {
  rows: SelectableProfile[];
  visibleTotal: number | null;
  managesEverything: boolean;
  children: ReactNode;
}) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const state = useMemo<SelectionState>(
    () => ({
      rows,
      selected,
      visibleTotal,
      managesEverything,
      toggle: (id, on) =>
        setSelected((current) => {
          const next = new Set(current);
          if (on) next.add(id);
          else next.delete(id);
          return next;
        }),
      setAll: (on) => setSelected(on ? new Set(rows.map((r) => r.id)) : new Set()),
    }),
    [rows, selected, visibleTotal, managesEverything],
  );
  return <SelectionContext.Provider value={state}>{children}</SelectionContext.Provider>;
}

const checkboxClass = "size-4 rounded border-slate-300 align-middle focus-visible:outline-2 focus-visible:outline-blue-600";

export function SelectAllCheckbox() {
  const { rows, selected, setAll } = useSelection();
  const ref = useRef<HTMLInputElement>(null);
  const count = rows.filter((r) => selected.has(r.id)).length;
  const all = rows.length > 0 && count === rows.length;
  useEffect(() => {
    // "some but not all" has no HTML attribute, only this property
    if (ref.current) ref.current.indeterminate = count > 0 && !all;
  }, [count, all]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className={checkboxClass}
      aria-label="Select all profiles on this page"
      checked={all}
      disabled={rows.length === 0}
      onChange={(e) => setAll(e.target.checked)}
    />
  );
}

export function SelectRowCheckbox({ id, name }: { id: string; name: string }) {
  const { selected, toggle } = useSelection();
  return (
    <input
      type="checkbox"
      className={checkboxClass}
      aria-label={`Select ${name}`}
      checked={selected.has(id)}
      onChange={(e) => toggle(id, e.target.checked)}
    />
  );
}

/** The toolbar button: exports the ticked rows, or all visible profiles when none is ticked. */
export function ExportButton() {
  const { rows, selected, visibleTotal, managesEverything } = useSelection();
  const chosen = rows.filter((r) => selected.has(r.id));
  if (rows.length === 0 && visibleTotal === 0) return null;
  return <ExportDialog chosen={chosen} visibleTotal={visibleTotal} managesEverything={managesEverything} />;
}
