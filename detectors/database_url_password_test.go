package detectors

import "testing"

// databaseLeads and databaseTails surround the passwords of casesDatabaseURLPassword, one form
// of connection string each.
var databaseLeads = []string{
	"postgres://app_user:",
	"mongodb+srv://svc:",
	"redis://:",
	"mysql://shop:",
	"jdbc:postgresql://pg.corp.internal:5432/app?user=app&password=",
	"Server=tcp:sql-prod.database.windows.net,1433;Initial Catalog=app;User ID=app;Password=",
	"Driver={ODBC Driver 18 for SQL Server};Server=sql01.corp.internal;Uid=svc;Pwd=",
	"jdbc:oracle:thin:scott/",
	"jdbc:mysql://svc:",
}

var databaseTails = []string{
	"@db.prod.internal:5432/app?sslmode=require",
	"@cluster0.ab1cd.mongodb.net/app?retryWrites=true",
	"@cache-01.corp.internal:6379/0",
	"@10.0.4.17:3306/shop",
	"&ssl=true",
	";Encrypt=True;",
	";",
	"@//ora.corp.internal:1521/ORCL",
	"@mysql.corp.internal:3306/db",
}

func init() {
	registerCasesAround(DatabaseURLPassword, casesDatabaseURLPassword, databaseLeads, databaseTails)
}

func casesDatabaseURLPassword() ([]tp, []fp) {
	pw := func(seed uint64) string { return rnd(seed, alnum, 18) }
	return []tp{
			{"postgres URL", pw(4000), ConfidencePattern},
			{"mongodb+srv URL", pw(4001), ConfidencePattern},
			{"redis URL, no user", pw(4002), ConfidencePattern},
			{"mysql URL, URL-encoded password", rnd(4003, alnum, 8) + "%40" + rnd(4004, alnum, 8), ConfidencePattern},
			{"JDBC password parameter", pw(4005), ConfidencePattern},
			{"ADO.NET", pw(4006), ConfidencePattern},
			{"ODBC Pwd", pw(4007), ConfidencePattern},
			{"Oracle thin", pw(4008), ConfidencePattern},
			{"jdbc:mysql URL", pw(4009), ConfidencePattern},
		}, []fp{
			{"docker defaults", "DATABASE_URL=postgres://postgres:postgres@localhost:5432/postgres"},
			{"template password", "mongodb+srv://admin:<password>@cluster0.ab1cd.mongodb.net/"},
			{"variable", "REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379/0"},
			{"loopback host", "mysql://root:" + pw(4020) + "@127.0.0.1:3306/db"},
			{"documentation host", "postgres://app:" + pw(4021) + "@db.example.com/app"},
			{"format verbs", `fmt.Sprintf("postgresql://%s:%s@%s/%s", user, pass, host, db)`},
			{"no password", "postgres://db.internal:5432/app"},
			{"host and port only", "redis://cache.internal:6379"},
			{"ADO.NET sample", "Server=myServerAddress;Database=myDataBase;User Id=myUsername;Password=myPassword;"},
			{"JDBC driver docs", "jdbc:postgresql://localhost/test?user=fred&password=secret&ssl=true"},
			{"user as password", "postgres://deploy:deploy@db.prod.internal/app"},
			{"masked", "postgres://app:********@db.prod.internal/app"},
			{"short", "mysql://app:abc12@db.prod.internal/app"},
			{"MongoDB docs sample", "mongodb+srv://myDatabaseUser:D1fficultP%40ssw0rd@cluster0.example.mongodb.net/?retryWrites=true&w=majority"},
			{"Azure portal sample", "Server=tcp:myserver.database.windows.net,1433;Initial Catalog=mydb;Persist Security Info=False;User ID=mylogin;Password={your_password};Encrypt=True;"},
			{"SQL Server LocalDB", "Data Source=(localdb)\\MSSQLLocalDB;Initial Catalog=app;User ID=sa;Password=" + pw(4022) + ";"},
			{"Oracle docs", "jdbc:oracle:thin:scott/tiger@//myhost:1521/myservicename"},
			{"malformed sample", "postgresql://foo::password@host:1:"},
			{"default behind a colon", "postgresql://app::postgres@db.prod.internal/app"},
		}
}

func TestDatabaseURLPassword(t *testing.T) {
	t.Parallel()
	tps, fps := casesDatabaseURLPassword()
	checkDetectorAround(t, DatabaseURLPassword(), tps, fps, databaseLeads, databaseTails)
}
