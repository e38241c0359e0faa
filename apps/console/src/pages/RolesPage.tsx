import { PageHeader } from "../components/ui";

export function RolesPage() {
  return <PageHeader title="RolesPage" />;
}
