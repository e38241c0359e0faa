import { PageHeader } from "../components/ui";

export function SigningKeysPage() {
  return <PageHeader title="SigningKeysPage" />;
}
