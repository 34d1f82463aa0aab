"use client";

import type { Ref } from "react";
import type { FaceListItem } from "../_components/api-types";
import { DataTable, type Column } from "../_components/data-table";
import { formatDateTime, formatPercent } from "../_components/format";
import { labelText, labelTitle } from "../_components/verdict-names";
import { ConsensusBadge, ExcludedMark, FlagChips, flagText, GoldenMark } from "./face-badges";
import type { View } from "./dataset-query";
import styles from "./dataset.module.css";

interface Props {
  items: readonly FaceListItem[];
  view: View;
  /** Shows consensus, flags and golden marks (the API sends them to admins only). */
  admin: boolean;
  /** Shows a checkbox per face (bulk actions). */
  selectable: boolean;
  isSelected: (id: number) => boolean;
  /** The face that takes Tab into the list (roving focus): the last one focused. */
  activeId: number | null;
  onActivate: (id: number) => void;
  onOpen: (id: number) => void;
  /** `range`: Shift was held, select from the last toggled face to this one. */
  onToggle: (id: number, range: boolean) => void;
  listRef: Ref<HTMLDivElement>;
}

/** A face's accessible name: what the tile shows, in a sentence. */
export function describeFace(f: FaceListItem): string {
  const parts = [`Face ${f.id}: predicted ${labelText(f.prediction.label)}, ${formatPercent(f.prediction.confidence)}`];
  if (f.consensus) {
    parts.push(
      f.consensus.label && (f.consensus.state === "agreed" || f.consensus.state === "adjudicated")
        ? `${f.consensus.state} on ${labelText(f.consensus.label)}`
        : f.consensus.state,
    );
  }
  if (f.flags?.length) parts.push(`flagged ${f.flags.map((x) => (flagText[x] ?? x).toLowerCase()).join(" and ")}`);
  if (f.golden) parts.push("in the golden set");
  if (f.excluded) parts.push("excluded from training");
  return parts.join("; ");
}

/**
 * The faces of the dataset browser as a grid of crops or as a table. One face at a time takes Tab
 * (the active one); the arrow keys move between faces (handled by the page, which knows the layout).
 */
export function FaceList({ listRef, ...props }: Props) {
  return (
    <div ref={listRef} data-face-list={props.view}>
      {props.view === "grid" ? <FaceGrid {...props} /> : <FaceTable {...props} />}
    </div>
  );
}

function SelectBox({
  face,
  active,
  checked,
  onToggle,
  onActivate,
}: {
  face: FaceListItem;
  active: boolean;
  checked: boolean;
  onToggle: Props["onToggle"];
  onActivate: Props["onActivate"];
}) {
  return (
    <input
      type="checkbox"
      className={styles.selectBox}
      tabIndex={active ? 0 : -1}
      checked={checked}
      aria-label={`Select face ${face.id}`}
      data-tile-select={face.id}
      onFocus={() => onActivate(face.id)}
      onChange={(e) => onToggle(face.id, "shiftKey" in e.nativeEvent && e.nativeEvent.shiftKey === true)}
    />
  );
}

type ListProps = Omit<Props, "listRef">;

function FaceGrid({ items, admin, selectable, isSelected, activeId, onActivate, onOpen, onToggle }: ListProps) {
  return (
    <ul className={styles.grid} data-testid="face-grid" aria-label="Faces">
      {items.map((f) => {
        const active = f.id === activeId;
        const checked = isSelected(f.id);
        return (
          <li
            key={f.id}
            className={`${styles.tile}${checked ? ` ${styles.isSelected}` : ""}`}
            data-face-id={f.id}
            data-testid="face-tile"
          >
            <button
              type="button"
              className={styles.tileOpen}
              tabIndex={active ? 0 : -1}
              data-tile-open={f.id}
              onFocus={() => onActivate(f.id)}
              onClick={() => onOpen(f.id)}
            >
              {/* The name is the whole description; the tile's short visible text is a part of it. */}
              <span className="sr-only">{describeFace(f)}</span>
              <img
                src={f.crop_url}
                alt=""
                width={144}
                height={144}
                className={`crop ${styles.tileCrop}`}
                loading="lazy"
                decoding="async"
              />
              <span className={styles.tileBody} aria-hidden="true">
                <span className={styles.tilePrediction}>
                  <span className={styles.tileLabel} data-testid="tile-predicted">
                    {labelTitle(f.prediction.label)}
                  </span>
                  <span className={styles.tileConfidence}>{formatPercent(f.prediction.confidence)}</span>
                </span>
                {admin && f.consensus ? (
                  <span className={styles.tileChips}>
                    <ConsensusBadge state={f.consensus.state} label={f.consensus.label} />
                    <FlagChips flags={f.flags ?? []} />
                  </span>
                ) : null}
                <span className={styles.tileId}>
                  #{f.id}
                  {f.excluded ? (
                    <>
                      {" "}
                      <ExcludedMark />
                    </>
                  ) : null}
                </span>
              </span>
            </button>
            {f.golden ? (
              <span className={styles.tileGolden}>
                <GoldenMark />
              </span>
            ) : null}
            {selectable ? (
              <span className={styles.tileCheck}>
                <SelectBox face={f} active={active} checked={checked} onToggle={onToggle} onActivate={onActivate} />
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

function FaceTable({ items, admin, selectable, isSelected, activeId, onActivate, onOpen, onToggle }: ListProps) {
  const columns: Column<FaceListItem>[] = [
    ...(selectable
      ? [
          {
            header: <span className="sr-only">Selected</span>,
            className: styles.cellSelect,
            cell: (f: FaceListItem) => (
              <SelectBox
                face={f}
                active={f.id === activeId}
                checked={isSelected(f.id)}
                onToggle={onToggle}
                onActivate={onActivate}
              />
            ),
          },
        ]
      : []),
    {
      header: "Face",
      cell: (f) => (
        <button
          type="button"
          className={styles.rowOpen}
          tabIndex={f.id === activeId ? 0 : -1}
          data-tile-open={f.id}
          aria-label={describeFace(f)}
          onFocus={() => onActivate(f.id)}
          onClick={() => onOpen(f.id)}
        >
          <img
            src={f.crop_url}
            alt=""
            width={48}
            height={48}
            className="crop crop-thumb"
            loading="lazy"
            decoding="async"
          />
          <span>#{f.id}</span>
        </button>
      ),
    },
    {
      header: "Predicted",
      cell: (f) => (
        <span className="label-chip" data-testid="tile-predicted">
          {labelText(f.prediction.label)}
        </span>
      ),
    },
    {
      header: "Confidence",
      className: "num",
      headerClassName: "num",
      cell: (f) => formatPercent(f.prediction.confidence),
    },
    { header: "Margin", className: "num", headerClassName: "num", cell: (f) => f.prediction.margin.toFixed(2) },
    { header: "Model", cell: (f) => `v${f.prediction.model_version.version}` },
    ...(admin
      ? [
          {
            header: "Review",
            cell: (f: FaceListItem) =>
              f.consensus ? (
                <span className={styles.reviewCell}>
                  <ConsensusBadge state={f.consensus.state} label={f.consensus.label} />
                  <span className="muted small">
                    {f.consensus.verdicts}/{f.consensus.needed}
                    <span className="sr-only"> verdicts</span>
                  </span>
                </span>
              ) : null,
          },
          {
            header: "Marks",
            cell: (f: FaceListItem) => (
              <span className={styles.tileChips}>
                {f.golden ? <GoldenMark /> : null}
                {f.excluded ? <ExcludedMark /> : null}
                <FlagChips flags={f.flags ?? []} />
              </span>
            ),
          },
        ]
      : []),
    {
      header: "Predicted at",
      className: "cell-time",
      cell: (f) => <time dateTime={f.predicted_at}>{formatDateTime(f.predicted_at)}</time>,
    },
  ];
  return (
    <div className={`card flush ${styles.tableCard}`}>
      <DataTable
        rows={items}
        columns={columns}
        rowKey={(f) => f.id}
        testId="face-table"
        className="table-compact"
        rowAttributes={(f) => ({
          "data-face-id": f.id,
          "data-testid": "face-row",
          className: isSelected(f.id) ? styles.rowSelected : undefined,
        })}
      />
    </div>
  );
}
