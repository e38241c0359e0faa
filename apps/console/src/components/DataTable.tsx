import { type ColumnDef, flexRender, type RowData, tableFeatures, useTable } from "@tanstack/react-table";

export const features = tableFeatures({});

/** A plain, accessible data table over @tanstack/react-table: a caption, column headers, rows. */
export function DataTable<Row extends RowData>(props: {
  caption: string;
  rows: Row[];
  // Each column has its own value type; the table only needs them to share the row type.
  // biome-ignore lint/suspicious/noExplicitAny: column value types differ per column
  columns: ColumnDef<typeof features, Row, any>[];
  rowId: (row: Row) => string;
  busy?: boolean;
}) {
  const table = useTable({ features, data: props.rows, columns: props.columns, getRowId: props.rowId });
  return (
    <div className="table-wrap">
      <table className="table" aria-busy={props.busy ?? false}>
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getAllCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
