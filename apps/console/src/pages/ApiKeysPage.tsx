import { PageHeader } from "../components/ui";

export function ApiKeysPage() {
  return <PageHeader title="ApiKeysPage" />;
}
