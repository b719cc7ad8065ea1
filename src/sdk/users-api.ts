import { ResourceApi } from './resource-api.ts';
import type { User, UserInput } from './types.ts';

/** Users: agents, supervisors and admins, with their console passwords. */
export class UsersApi extends ResourceApi<UserInput, User> {
  /**
   * Sets the user's console password (12–128 characters; admin scope). Their open console
   * sessions end. The password is never answered.
   */
  async setPassword(id: string, password: string): Promise<void> {
    await this.client.request<undefined>('POST', `${this.item(id)}/password`, {
      body: { password },
      idempotencyKey: false,
    });
  }
}
