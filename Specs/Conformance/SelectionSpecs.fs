/// Label selectors on list and watch, and what a watch delivers: the changes after its resourceVersion, bookmarks,
/// and 410 Gone when that resourceVersion has expired.
module Ztwim.Specs.Conformance.SelectionSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Specs.Conformance.ClusterUnderTest

let private names (list: ObjectList) =
    list.Items |> Seq.map (fun o -> o.Meta "name") |> Seq.sort |> List.ofSeq

let private relabel (c: ClusterUnderTest) (name: string) (labels: (string * Json) list) =
    c.Client.MergePatchAsync(
        JsonAccess.Ref("v1", "ConfigMap", c.Namespace, name),
        Json.obj [ "metadata", Json.obj [ "labels", Json.obj labels ] ],
        ct
    )
    |> ok (sprintf "relabel %s" name)

let properties =
    [ property "a list takes equality, inequality, set and existence selectors" (fun c ->
          task {
              for name, labels in
                  [ "red", [ "colour", "red"; "size", "s" ]
                    "blue", [ "colour", "blue" ]
                    "green", [ "colour", "green"; "size", "l" ]
                    "plain", [] ] do
                  let! _ = c.Client.CreateAsync(configMap c name labels [], ct) |> ok "create"
                  ()

              let expectations =
                  [ "colour=red", [ "red" ]
                    "colour==red", [ "red" ]
                    "colour!=red", [ "blue"; "green"; "plain" ]
                    "colour in (red,blue)", [ "blue"; "red" ]
                    "colour notin (red,blue)", [ "green"; "plain" ]
                    "size", [ "green"; "red" ]
                    "!size", [ "blue"; "plain" ]
                    "colour,size=l", [ "green" ] ]

              for selector, expected in expectations do
                  let! list = c.Client.ListAsync(configMaps, c.Namespace, selector, ct) |> ok selector
                  // The real server puts a ConfigMap or two of its own in every namespace.
                  let mine =
                      names list
                      |> List.filter (fun n -> List.contains n [ "red"; "blue"; "green"; "plain" ])

                  Expect.equal mine expected selector
          })
      property "a malformed label selector is 400 BadRequest" (fun c ->
          task {
              let! e = c.Client.ListAsync(configMaps, c.Namespace, "colour in red", ct) |> fails "list"
              Expect.equal e.Code 400 "bad selector"
          })
      property "a watch with a selector sees objects enter as Added, change as Modified, leave as Deleted" (fun c ->
          task {
              let! start = c.Client.ListAsync(configMaps, c.Namespace, "watched=yes", ct) |> ok "list"

              let! w =
                  c.Client.WatchAsync(configMaps, c.Namespace, "watched=yes", start.ResourceVersion, ct)
                  |> ok "watch"

              let! _ =
                  c.Client.CreateAsync(configMap c "a" [ "watched", "yes" ] [], ct)
                  |> ok "create a"

              let! _ =
                  c.Client.CreateAsync(configMap c "other" [ "watched", "no" ] [], ct)
                  |> ok "create other"

              let! _ = relabel c "a" [ "more", Json.String "1" ]
              let! left = relabel c "a" [ "watched", Json.String "no" ]
              let! _ = relabel c "other" [ "watched", Json.String "yes" ]
              let seen = ResizeArray<WatchEvent>()

              for _ in 1..4 do
                  match! nextChange c w with
                  | Some e -> seen.Add e
                  | None -> ()

              Expect.equal
                  (seen |> Seq.map shown |> List.ofSeq)
                  [ "Added a"; "Modified a"; "Deleted a"; "Added other" ]
                  "events"

              Expect.equal (rv seen.[2].Object) (rv left) "Deleted carries the resourceVersion of the change"
              do! w.DisposeAsync()
          })
      property "a watch from a resourceVersion replays the changes after it" (fun c ->
          task {
              let! created =
                  c.Client.CreateAsync(configMap c "a" [ "t", "1" ] [ "k", "1" ], ct)
                  |> ok "create"

              let! _ =
                  c.Client.MergePatchAsync(created.RefOf(), Json.obj [ "data", Json.obj [ "k", Json.String "2" ] ], ct)
                  |> ok "patch"

              let! _ = c.Client.DeleteAsync(created.RefOf(), ct) |> ok "delete"

              let! w =
                  c.Client.WatchAsync(configMaps, c.Namespace, "t=1", rv created, ct)
                  |> ok "watch"

              let! first = nextChange c w
              let! second = nextChange c w

              Expect.equal
                  ([ first; second ] |> List.map (Option.map shown))
                  [ Some "Modified a"; Some "Deleted a" ]
                  "replayed"

              do! w.DisposeAsync()
          })
      property
          "a watch gets a Bookmark with the kind and a resourceVersion no older than a list's after the start"
          (fun c ->
              // A real server sends a bookmark only once its watch cache has moved past the last event the watcher
              // processed (filtered out or not): a write of another kind moves etcd on, and a list (a consistent read)
              // makes the cache catch up with it. It sends it about two seconds before the watch times out.
              task {
                  let! start = c.Client.ListAsync(configMaps, c.Namespace, "quiet=yes", ct) |> ok "list"
                  let! _ = c.Client.CreateAsync(eventAbout c "e1", ct) |> ok "another kind's write"
                  let! caughtUp = c.Client.ListAsync(configMaps, c.Namespace, "quiet=yes", ct) |> ok "list again"

                  let! w =
                      c.Client.WatchAsync(configMaps, c.Namespace, "quiet=yes", start.ResourceVersion, ct)
                      |> ok "watch"

                  let! e = c.NextEvent w
                  do! w.DisposeAsync()

                  match e with
                  | Some e when e.Type = WatchEventType.Bookmark ->
                      Expect.equal (e.Object.Str "kind") "ConfigMap" "kind"
                      Expect.isNull (e.Object.Meta "name") "a bookmark names no object"

                      Expect.isGreaterThanOrEqual
                          (int64 (e.Object.Meta "resourceVersion"))
                          (int64 caughtUp.ResourceVersion)
                          "resourceVersion"
                  | other -> failtestf "expected a bookmark, got %A" (other |> Option.map shown)
              })
      property "a watch from an expired resourceVersion ends with 410 Gone (Expired)" (fun c ->
          task {
              let! first = c.Client.CreateAsync(eventAbout c "e1", ct) |> ok "create"
              // Two changes after it: a compaction to the latest revision leaves the one right after `first` behind too.
              let! _ = c.Client.CreateAsync(eventAbout c "e2", ct) |> ok "create"
              let! _ = c.Client.CreateAsync(eventAbout c "e3", ct) |> ok "create"
              do! c.Expire()

              let! w =
                  c.Client.WatchAsync(c.ExpiringType, c.Namespace, null, rv first, ct)
                  |> ok "watch"

              let! e = c.NextEvent w

              match e with
              | Some e when e.Type = WatchEventType.Error ->
                  Expect.equal (e.Error.Code, e.Error.Reason) (410, "Expired") "error"
              | other -> failtestf "expected 410 Gone, got %A" (other |> Option.map shown)

              let! after = c.NextEvent w
              Expect.isNone after "the watch ends"
              do! w.DisposeAsync()
          })
      property
          "difference: a watch from \"\" starts from now in the simulation; a real server first replays every object"
          (fun c ->
              // Deliberate: the simulation's watchers always list first (as the informer does), so it never replays; the
              // port's contract says so (IClusterClient.WatchAsync).
              task {
                  let! _ = c.Client.CreateAsync(configMap c "a" [ "t", "1" ] [], ct) |> ok "create"
                  let! w = c.Client.WatchAsync(configMaps, c.Namespace, "t=1", "", ct) |> ok "watch"
                  let! first = nextChange c w
                  do! w.DisposeAsync()

                  match c.Flavour with
                  | Simulated -> Expect.isNone first "nothing replayed"
                  | Real -> Expect.equal (first |> Option.map shown) (Some "Added a") "replayed as Added"
              }) ]
