module Ztwim.Specs.Sim.SimApplySpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Sim.SimFixture

let private apply (s: Sim) manager force obj =
    s.User.ApplyAsync(obj, manager, force, ct)

let private cmData (data: string) =
    json (
        sprintf
            """{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "ns"}, "data": %s}"""
            data
    )

let private deployment (containers: string) =
    json (
        sprintf
            """{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
                "spec": {"selector": {"matchLabels": {"app": "web"}},
                         "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": %s}}}}"""
            containers
    )

let private managers (obj: Json) =
    obj.Items("metadata", "managedFields")
    |> Seq.map (fun e -> e.Str "manager", e.Str "operation")
    |> List.ofSeq

let private fieldsOf (manager: string) (obj: Json) =
    obj.Items("metadata", "managedFields")
    |> Seq.find (fun e -> e.Str "manager" = manager)
    |> at "fieldsV1"

let private containerNames (obj: Json) =
    obj.Items("spec", "template", "spec", "containers")
    |> Seq.map (fun c -> c.Str "name")
    |> List.ofSeq

[<Tests>]
let tests =
    testList
        "sim-cluster apply"
        [ test "apply creates an absent object and records the manager's fields in FieldsV1" {
              let s = sim ()
              let cm = apply s "ztwim" false (cmData """{"k": "v"}""") |> ok
              Expect.equal (managers cm) [ "ztwim", "Apply" ] "managers"
              let entry = cm.Items("metadata", "managedFields").[0]
              Expect.equal (entry.Str "fieldsType") "FieldsV1" "fieldsType"
              Expect.equal (at "fieldsV1" entry) (json """{"f:data": {"f:k": {}}}""") "fields"
          }
          test "keyed list items are owned as k:{...} with their own '.'" {
              let s = sim ()

              let d =
                  apply
                      s
                      "ztwim"
                      false
                      (deployment """[{"name": "app", "image": "a:1", "ports": [{"containerPort": 80}]}]""")
                  |> ok

              let item = at "f:spec.f:template.f:spec.f:containers" (fieldsOf "ztwim" d)

              Expect.equal
                  item
                  (json
                      """{"k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {},
                          "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}}""")
                  "fieldsV1"
          }
          test "an apply that changes nothing bumps no resourceVersion and emits no event" {
              let s = sim ()
              let first = apply s "ztwim" false (cmData """{"k": "v"}""") |> ok
              let w = s.User.WatchAsync(configMaps, "ns", null, rv first, ct) |> ok
              let again = apply s "ztwim" false (cmData """{"k": "v"}""") |> ok
              Expect.equal (rv again) (rv first) "resourceVersion"
              Expect.equal again first "the same object"
              Expect.equal (fst (drain w)) [] "no event"
          }
          test "fields the manager stops sending are removed, other managers' fields stay" {
              let s = sim ()
              apply s "ztwim" false (cmData """{"mine": "1", "gone": "2"}""") |> ok |> ignore
              apply s "other" false (cmData """{"theirs": "3"}""") |> ok |> ignore
              let cm = apply s "ztwim" false (cmData """{"mine": "1"}""") |> ok
              Expect.equal (at "data" cm) (json """{"mine": "1", "theirs": "3"}""") "data"
          }
          test "a field the manager stops sending stays when another manager shares it" {
              let s = sim ()
              apply s "ztwim" false (cmData """{"k": "1", "j": "2"}""") |> ok |> ignore
              apply s "other" false (cmData """{"k": "1"}""") |> ok |> ignore
              let cm = apply s "ztwim" false (cmData """{"j": "2"}""") |> ok
              Expect.equal (at "data" cm) (json """{"j": "2", "k": "1"}""") "shared field kept"
          }
          test "a field another client set by update stays; the applier's own dropped field goes" {
              let s = sim ()
              let cm = apply s "ztwim" false (cmData """{"k": "1"}""") |> ok
              s.User.UpdateAsync(set "data.user" (str "x") cm, ct) |> ok |> ignore
              let after = apply s "ztwim" false (cmData """{"j": "2"}""") |> ok
              Expect.equal (at "data" after) (json """{"j": "2", "user": "x"}""") "the user's field stays, k goes"
              Expect.equal (managers after) [ "ztwim", "Apply"; "kubectl", "Update" ] "managers"
          }
          test "sending another manager's field with a different value is a 409 conflict naming it" {
              let s = sim ()
              apply s "other" false (cmData """{"k": "1"}""") |> ok |> ignore
              let e = apply s "ztwim" false (cmData """{"k": "2"}""") |> fails
              Expect.equal (e.Code, e.Reason) (409, "Conflict") "conflict"
              Expect.equal e.Message "Apply failed with 1 conflict: conflict with \"other\": .data.k" "message"
          }
          test "a conflict with an update manager names its apiVersion; several are listed" {
              let s = sim ()
              s.User.CreateAsync(cmData """{"k": "1", "j": "1"}""", ct) |> ok |> ignore
              let e = apply s "ztwim" false (cmData """{"k": "2", "j": "2"}""") |> fails

              Expect.equal
                  e.Message
                  "Apply failed with 2 conflicts: conflicts with \"kubectl\" using v1:\n- .data.j\n- .data.k\n"
                  "message"
          }
          test "force takes the conflicting field over" {
              let s = sim ()
              apply s "other" false (cmData """{"k": "1", "o": "1"}""") |> ok |> ignore
              let cm = apply s "ztwim" true (cmData """{"k": "2"}""") |> ok
              Expect.equal (at "data" cm) (json """{"k": "2", "o": "1"}""") "data"
              Expect.equal (fieldsOf "other" cm) (json """{"f:data": {"f:o": {}}}""") "other lost k"
              Expect.equal (fieldsOf "ztwim" cm) (json """{"f:data": {"f:k": {}}}""") "ztwim owns k"
          }
          test "the same value as another manager's is shared ownership, not a conflict" {
              let s = sim ()
              apply s "other" false (cmData """{"k": "1"}""") |> ok |> ignore
              let cm = apply s "ztwim" false (cmData """{"k": "1"}""") |> ok
              Expect.equal (managers cm) [ "other", "Apply"; "ztwim", "Apply" ] "both own it"
          }
          test "containers merge by name: another manager's sidecar survives our changes" {
              let s = sim ()

              apply s "ztwim" false (deployment """[{"name": "app", "image": "a:1"}]""")
              |> ok
              |> ignore

              apply s "injector" false (deployment """[{"name": "sidecar", "image": "s:1"}]""")
              |> ok
              |> ignore

              let d =
                  apply s "ztwim" false (deployment """[{"name": "app", "image": "a:2", "args": ["--x"]}]""")
                  |> ok

              Expect.equal (containerNames d) [ "app"; "sidecar" ] "both containers"
              Expect.equal (text "spec.template.spec.containers[0].image" d) "a:2" "our image"
              Expect.equal (number "metadata.generation" d) 3L "each template change is a generation"
          }
          test "env merges by name; an item we stop sending goes; other lists are replaced whole" {
              let s = sim ()

              apply
                  s
                  "ztwim"
                  false
                  (deployment
                      """[{"name": "app", "image": "a:1", "args": ["-a", "-b"], "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}]""")
              |> ok
              |> ignore

              let d =
                  apply
                      s
                      "ztwim"
                      false
                      (deployment
                          """[{"name": "app", "image": "a:1", "args": ["-c"], "env": [{"name": "B", "value": "2"}]}]""")
                  |> ok

              Expect.equal
                  (at "spec.template.spec.containers[0].env" d)
                  (json """[{"name": "B", "value": "2"}]""")
                  "env"

              Expect.equal (at "spec.template.spec.containers[0].args" d) (json """["-c"]""") "args atomic"
          }
          test "a resourceVersion sent with an apply must be the current one" {
              let s = sim ()
              let cm = apply s "ztwim" false (cmData """{"k": "1"}""") |> ok
              apply s "ztwim" false (cmData """{"k": "2"}""") |> ok |> ignore

              let e =
                  apply s "ztwim" false (cmData """{"k": "3"}""" |> set "metadata.resourceVersion" (str (rv cm)))
                  |> fails

              Expect.equal e.Code 409 "stale"
          }
          test "a status apply to a missing object is 404" {
              let s = sim ()

              let e =
                  s.User.ApplyStatusAsync(deployment "[]" |> set "status.replicas" (num 1), "ztwim", true, ct)
                  |> fails

              Expect.equal (e.Code, e.Message) (404, "deployments.apps \"web\" not found") "error"
          }
          test "status applies merge conditions by type and record the status subresource" {
              let s = sim ()

              apply s "ztwim" false (deployment """[{"name": "app", "image": "a:1"}]""")
              |> ok
              |> ignore

              let cond (t: string) (v: string) =
                  sprintf """{"type": "%s", "status": "%s"}""" t v

              let status (conds: string list) =
                  deployment "[]"
                  |> remove "spec"
                  |> set "status" (json (sprintf """{"conditions": [%s]}""" (String.concat ", " conds)))

              s.User.ApplyStatusAsync(status [ cond "A" "True" ], "ctrl-a", true, ct)
              |> ok
              |> ignore

              let d =
                  s.User.ApplyStatusAsync(status [ cond "B" "False" ], "ctrl-b", true, ct) |> ok

              Expect.equal
                  (at "status.conditions" d)
                  (json (sprintf "[%s, %s]" (cond "A" "True") (cond "B" "False")))
                  "both conditions"

              let entry =
                  d.Items("metadata", "managedFields")
                  |> Seq.find (fun e -> e.Str "manager" = "ctrl-b")

              Expect.equal (entry.Str "subresource") "status" "subresource"
              Expect.equal (number "metadata.generation" d) 1L "generation"
          } ]
