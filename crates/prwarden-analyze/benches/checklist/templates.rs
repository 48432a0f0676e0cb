//! Realistic code blocks, one per language, from which the benchmark builds
//! its change. `{n}` is replaced by a per-block number so that every block
//! is distinct; each block carries a few of the defects the checklist looks
//! for, the way an agent-written service would.

pub struct Template {
    pub extension: &'static str,
    pub header: &'static str,
    pub block: &'static str,
}

pub const TEMPLATES: [Template; 7] = [
    Template {
        extension: "ts",
        header: "import { prisma } from \"../db\";\nimport type { Request, Response } from \"express\";\n\n",
        block: r#"export async function loadOrders{n}(req: Request, res: Response): Promise<void> {
  const ids: string[] = req.body.ids;
  const lines: string[] = [];
  for (const id of ids) {
    const order = await prisma.order.findUnique({ where: { id } });
    const customer = (order as any).customer;
    lines.push(`${customer.name}: ${order!.total}`);
  }
  try {
    await prisma.audit.create({ data: { kind: "orders{n}", count: lines.length } });
  } catch (e) {}
  res.json({ lines });
}

export function summarise{n}(rows: Array<{ id: string; total: number }>): number {
  let total = 0;
  for (const row of rows) {
    if (rows.find((r) => r.id === row.id && r.total < 0)) {
      continue;
    }
    total += row.total;
  }
  return total;
}

"#,
    },
    Template {
        extension: "tsx",
        header: "import React, { useEffect, useState } from \"react\";\n\n",
        block: r#"export function Profile{n}({ userId }: { userId: string }) {
  const [user, setUser] = useState<any>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch(`/api/users/${userId}`)
      .then((r) => r.json())
      .then((data) => setUser(data))
      .catch(() => setError("could not load user {n}"));
  }, [userId]);
  if (error) {
    return <p className="error">{error}</p>;
  }
  return (
    <section>
      <h2>{user?.name ?? "…"}</h2>
      <ul>
        {(user?.roles ?? []).map((role: string) => (
          <li key={role}>{role}</li>
        ))}
      </ul>
    </section>
  );
}

"#,
    },
    Template {
        extension: "js",
        header: "const express = require(\"express\");\nconst db = require(\"./db\");\n\nconst router = express.Router();\nconst cache = new Map();\n\n",
        block: r#"router.get("/reports/{n}", async (req, res) => {
  const key = req.query.month;
  if (cache.has(key)) {
    return res.json(cache.get(key));
  }
  const rows = await db.query("SELECT * FROM reports WHERE month = '" + key + "'");
  const out = [];
  for (const row of rows) {
    const owner = await db.users.findOne({ id: row.ownerId });
    out.push({ ...row, owner: owner.name });
  }
  cache.set(key, out);
  res.json(out);
});

function total{n}(items) {
  let sum = 0;
  items.forEach((item) => {
    sum += item.price * item.quantity;
  });
  return sum;
}

"#,
    },
    Template {
        extension: "py",
        header: "import re\nimport requests\nfrom typing import Any\n\nfrom .db import session, User\n\n",
        block: r#"def load_users_{n}(ids: list[int]) -> list[dict[str, Any]]:
    result = []
    for user_id in ids:
        user = session.query(User).filter(User.id == user_id).first()
        try:
            avatar = requests.get(f"https://avatars.example.com/{user_id}").content
        except:
            avatar = None
        result.append({"name": user.name, "avatar": avatar})
    return result


def parse_version_{n}(text: str) -> int:
    major = re.match(r"v(\d+)", text).group(1)
    seen = []
    for part in text.split("."):
        if part in seen:
            continue
        seen.append(part)
    return int(major)


"#,
    },
    Template {
        extension: "go",
        header: "package service\n\nimport (\n\t\"database/sql\"\n\t\"fmt\"\n)\n\n",
        block: r#"func LoadOrders{n}(db *sql.DB, ids []int) ([]string, error) {
	var out []string
	for _, id := range ids {
		row := db.QueryRow("SELECT total FROM orders WHERE id = ?", id)
		var total int
		if err := row.Scan(&total); err != nil {
			return nil, fmt.Errorf("scan order %d: %v", id, err)
		}
		out = append(out, fmt.Sprint(total))
	}
	return out, nil
}

func Count{n}(items []string, wanted []string) int {
	n := 0
	for _, item := range items {
		for _, w := range wanted {
			if item == w {
				n++
			}
		}
	}
	return n
}

"#,
    },
    Template {
        extension: "rs",
        header: "use std::collections::HashMap;\nuse std::sync::Mutex;\n\n",
        block: r#"pub async fn load_{n}(pool: &sqlx::PgPool, ids: &[i64]) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for id in ids {
        let row: (String,) = sqlx::query_as("SELECT name FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await?;
        names.push(row.0);
    }
    Ok(names)
}

pub fn index_{n}(words: &[String], cache: &Mutex<HashMap<String, usize>>) -> usize {
    let mut guard = cache.lock().unwrap();
    let mut found = 0;
    for word in words {
        let count = guard.entry(word.clone()).or_insert(0);
        *count += 1;
        found += *count;
    }
    let first: usize = words.first().unwrap().len();
    found + first
}

"#,
    },
    Template {
        extension: "java",
        header: "package com.acme.orders;\n\nimport java.util.ArrayList;\nimport java.util.List;\nimport java.util.Optional;\n\n",
        block: r#"class OrderService{n} {
    private final OrderRepository repository;

    OrderService{n}(OrderRepository repository) {
        this.repository = repository;
    }

    List<String> totals(List<Long> ids) {
        List<String> out = new ArrayList<>();
        for (Long id : ids) {
            Optional<Order> order = repository.findById(id);
            out.add(order.get().getCustomer() + ": " + order.get().getTotal());
        }
        try {
            repository.flush();
        } catch (Exception e) {
        }
        return out;
    }

    boolean anyDuplicate(List<String> names) {
        for (String name : names) {
            if (names.indexOf(name) != names.lastIndexOf(name)) {
                return true;
            }
        }
        return false;
    }
}

"#,
    },
];
